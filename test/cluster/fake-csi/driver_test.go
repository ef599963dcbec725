package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const key = "topology.fake.csi.kubesafe.dev/zone"

func newTestDriver(t *testing.T) *driver {
	t.Helper()
	d, err := newDriver(config{Name: "fake.csi.kubesafe.dev", TopologyKey: key, Zones: []string{"zone-a", "zone-b", "zone-c"},
		ZoneCapacityBytes: 10 * gib, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func rwo() []*csi.VolumeCapability {
	return []*csi.VolumeCapability{{
		AccessType: &csi.VolumeCapability_Mount{Mount: &csi.VolumeCapability_MountVolume{}},
		AccessMode: &csi.VolumeCapability_AccessMode{Mode: csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER},
	}}
}

func inZone(z string) *csi.TopologyRequirement {
	t := []*csi.Topology{{Segments: map[string]string{key: z}}}
	return &csi.TopologyRequirement{Requisite: t, Preferred: t}
}

func code(err error) codes.Code { return status.Code(err) }

func TestVolumeSnapshotRestoreAcrossZones(t *testing.T) {
	ctx := context.Background()
	d := newTestDriver(t)
	req := &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: rwo(), AccessibilityRequirements: inZone("zone-b"),
		CapacityRange: &csi.CapacityRange{RequiredBytes: 1500 << 20}}
	v, err := d.CreateVolume(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Volume.AccessibleTopology[0].Segments[key]; got != "zone-b" {
		t.Fatalf("zone %q", got)
	}
	if v.Volume.CapacityBytes != 2*gib {
		t.Fatalf("capacity %d, want 2 GiB", v.Volume.CapacityBytes)
	}
	again, err := d.CreateVolume(ctx, req)
	if err != nil || again.Volume.VolumeId != v.Volume.VolumeId {
		t.Fatalf("not idempotent: %v %v", again, err)
	}
	if err := os.WriteFile(filepath.Join(d.volumeDir(v.Volume.VolumeId), "f.txt"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}

	s, err := d.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "snap-1", SourceVolumeId: v.Volume.VolumeId})
	if err != nil || !s.Snapshot.ReadyToUse || s.Snapshot.SizeBytes != 2*gib {
		t.Fatalf("snapshot %v %v", s, err)
	}
	list, err := d.ListSnapshots(ctx, &csi.ListSnapshotsRequest{SourceVolumeId: v.Volume.VolumeId})
	if err != nil || len(list.Entries) != 1 {
		t.Fatalf("list %v %v", list, err)
	}

	src := &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: s.Snapshot.SnapshotId}}}
	if _, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "small", VolumeCapabilities: rwo(), VolumeContentSource: src,
		AccessibilityRequirements: inZone("zone-c"), CapacityRange: &csi.CapacityRange{RequiredBytes: gib}}); code(err) != codes.OutOfRange {
		t.Fatalf("restore smaller than the snapshot: %v", err)
	}
	r, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "pvc-2", VolumeCapabilities: rwo(), VolumeContentSource: src,
		AccessibilityRequirements: inZone("zone-c"), CapacityRange: &csi.CapacityRange{RequiredBytes: 2 * gib}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Volume.ContentSource.GetSnapshot().GetSnapshotId() != s.Snapshot.SnapshotId || r.Volume.AccessibleTopology[0].Segments[key] != "zone-c" {
		t.Fatalf("restore %v", r)
	}
	data, err := os.ReadFile(filepath.Join(d.volumeDir(r.Volume.VolumeId), "f.txt"))
	if err != nil || string(data) != "data" {
		t.Fatalf("restored data %q %v", data, err)
	}

	if _, err := d.DeleteVolume(ctx, &csi.DeleteVolumeRequest{VolumeId: v.Volume.VolumeId}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.volumeDir(v.Volume.VolumeId)); !os.IsNotExist(err) {
		t.Fatalf("volume dir still there: %v", err)
	}
	if _, err := d.DeleteVolume(ctx, &csi.DeleteVolumeRequest{VolumeId: v.Volume.VolumeId}); err != nil {
		t.Fatalf("DeleteVolume not idempotent: %v", err)
	}
	if _, err := d.DeleteSnapshot(ctx, &csi.DeleteSnapshotRequest{SnapshotId: s.Snapshot.SnapshotId}); err != nil {
		t.Fatal(err)
	}

	// State survives a restart.
	d2, err := newDriver(d.cfg)
	if err != nil || d2.st.Volumes[r.Volume.VolumeId] == nil || d2.st.Volumes[r.Volume.VolumeId].Zone != "zone-c" {
		t.Fatalf("reloaded state: %v %v", d2.st, err)
	}
}

func TestCapacityAndFaults(t *testing.T) {
	ctx := context.Background()
	d := newTestDriver(t)
	d.faults.ZoneCapacityBytes = map[string]int64{"zone-a": 0}
	_, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "a", VolumeCapabilities: rwo(), AccessibilityRequirements: inZone("zone-a")})
	if code(err) != codes.ResourceExhausted {
		t.Fatalf("want RESOURCE_EXHAUSTED, got %v", err)
	}
	v, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "b", VolumeCapabilities: rwo(), AccessibilityRequirements: inZone("zone-b")})
	if err != nil {
		t.Fatal(err)
	}
	d.faults.SnapshotFail = true
	if _, err := d.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "s", SourceVolumeId: v.Volume.VolumeId}); code(err) != codes.Internal {
		t.Fatalf("want INTERNAL, got %v", err)
	}
	d.faults = faults{SnapshotNeverReady: true}
	s, err := d.CreateSnapshot(ctx, &csi.CreateSnapshotRequest{Name: "s", SourceVolumeId: v.Volume.VolumeId})
	if err != nil || s.Snapshot.ReadyToUse {
		t.Fatalf("want a snapshot not ready: %v %v", s, err)
	}
	d.faults = faults{RestoreFail: true}
	src := &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: s.Snapshot.SnapshotId}}}
	if _, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "c", VolumeCapabilities: rwo(), VolumeContentSource: src,
		AccessibilityRequirements: inZone("zone-c")}); code(err) != codes.Internal {
		t.Fatalf("want INTERNAL, got %v", err)
	}
	multi := []*csi.VolumeCapability{{AccessType: &csi.VolumeCapability_Mount{Mount: &csi.VolumeCapability_MountVolume{}},
		AccessMode: &csi.VolumeCapability_AccessMode{Mode: csi.VolumeCapability_AccessMode_MULTI_NODE_MULTI_WRITER}}}
	if _, err := d.CreateVolume(ctx, &csi.CreateVolumeRequest{Name: "m", VolumeCapabilities: multi}); code(err) != codes.InvalidArgument {
		t.Fatalf("want INVALID_ARGUMENT for RWX, got %v", err)
	}
}

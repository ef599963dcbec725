package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const (
	gib            = int64(1) << 30
	defaultVolSize = gib
)

type config struct {
	Name              string
	TopologyKey       string
	Zones             []string
	ZoneCapacityBytes int64
	StateDir          string
}

// volume and snapshot are what csi-state.json records.
type volume struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Zone          string            `json:"zone"`
	CapacityBytes int64             `json:"capacityBytes"`
	SourceSnap    string            `json:"sourceSnapshotId,omitempty"`
	Parameters    map[string]string `json:"parameters,omitempty"`
	CreatedAt     time.Time         `json:"createdAt"`
}

type snapshot struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	SourceVolume string    `json:"sourceVolumeId"`
	SourceZone   string    `json:"sourceZone"`
	SizeBytes    int64     `json:"sizeBytes"`
	CreatedAt    time.Time `json:"createdAt"`
	ReadyToUse   bool      `json:"readyToUse"`
	// ReadyAt is when the (simulated) upload finishes; until then the snapshot is not ready.
	ReadyAt time.Time `json:"readyAt"`
}

type state struct {
	Volumes   map[string]*volume   `json:"volumes"`
	Snapshots map[string]*snapshot `json:"snapshots"`
}

type driver struct {
	csi.UnimplementedIdentityServer
	csi.UnimplementedControllerServer

	cfg config
	mu  sync.Mutex
	st  state
	// inflight holds the names of CreateVolume calls in progress (they may sleep for latency):
	// a repeated call for the same name gets ABORTED, as the CSI spec asks.
	inflight map[string]bool
	faults   faults
}

func newDriver(cfg config) (*driver, error) {
	d := &driver{cfg: cfg, inflight: map[string]bool{}}
	d.st = state{Volumes: map[string]*volume{}, Snapshots: map[string]*snapshot{}}
	for _, sub := range []string{"volumes", "snapshots"} {
		if err := os.MkdirAll(filepath.Join(cfg.StateDir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(d.statePath())
	if err == nil {
		if err := json.Unmarshal(data, &d.st); err != nil {
			return nil, fmt.Errorf("%s: %w", d.statePath(), err)
		}
		if d.st.Volumes == nil {
			d.st.Volumes = map[string]*volume{}
		}
		if d.st.Snapshots == nil {
			d.st.Snapshots = map[string]*snapshot{}
		}
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	return d, nil
}

func (d *driver) statePath() string            { return filepath.Join(d.cfg.StateDir, "csi-state.json") }
func (d *driver) volumeDir(id string) string   { return filepath.Join(d.cfg.StateDir, "volumes", id) }
func (d *driver) snapshotDir(id string) string { return filepath.Join(d.cfg.StateDir, "snapshots", id) }

// save writes the state atomically; the caller holds d.mu.
func (d *driver) save() error {
	data, err := json.MarshalIndent(d.st, "", "  ")
	if err != nil {
		return err
	}
	tmp := d.statePath() + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, d.statePath())
}

func idFor(prefix, name string) string {
	h := sha256.Sum256([]byte(name))
	return prefix + hex.EncodeToString(h[:8])
}

// ---- Identity --------------------------------------------------------------------------------

func (d *driver) GetPluginInfo(context.Context, *csi.GetPluginInfoRequest) (*csi.GetPluginInfoResponse, error) {
	return &csi.GetPluginInfoResponse{Name: d.cfg.Name, VendorVersion: version}, nil
}

func (d *driver) GetPluginCapabilities(context.Context, *csi.GetPluginCapabilitiesRequest) (*csi.GetPluginCapabilitiesResponse, error) {
	cap := func(t csi.PluginCapability_Service_Type) *csi.PluginCapability {
		return &csi.PluginCapability{Type: &csi.PluginCapability_Service_{Service: &csi.PluginCapability_Service{Type: t}}}
	}
	return &csi.GetPluginCapabilitiesResponse{Capabilities: []*csi.PluginCapability{
		cap(csi.PluginCapability_Service_CONTROLLER_SERVICE),
		cap(csi.PluginCapability_Service_VOLUME_ACCESSIBILITY_CONSTRAINTS),
	}}, nil
}

func (d *driver) Probe(context.Context, *csi.ProbeRequest) (*csi.ProbeResponse, error) {
	return &csi.ProbeResponse{}, nil // an unset ready field means ready
}

// ---- Controller ------------------------------------------------------------------------------

func (d *driver) ControllerGetCapabilities(context.Context, *csi.ControllerGetCapabilitiesRequest) (*csi.ControllerGetCapabilitiesResponse, error) {
	var caps []*csi.ControllerServiceCapability
	for _, t := range []csi.ControllerServiceCapability_RPC_Type{
		csi.ControllerServiceCapability_RPC_CREATE_DELETE_VOLUME,
		csi.ControllerServiceCapability_RPC_CREATE_DELETE_SNAPSHOT,
		csi.ControllerServiceCapability_RPC_LIST_SNAPSHOTS,
	} {
		caps = append(caps, &csi.ControllerServiceCapability{
			Type: &csi.ControllerServiceCapability_Rpc{Rpc: &csi.ControllerServiceCapability_RPC{Type: t}},
		})
	}
	return &csi.ControllerGetCapabilitiesResponse{Capabilities: caps}, nil
}

// checkCaps accepts what a zonal block-storage disk supports: one node at a time, mount or block.
func checkCaps(caps []*csi.VolumeCapability) error {
	if len(caps) == 0 {
		return status.Error(codes.InvalidArgument, "volume_capabilities is required")
	}
	for _, c := range caps {
		if c.GetMount() == nil && c.GetBlock() == nil {
			return status.Error(codes.InvalidArgument, "access_type (mount or block) is required")
		}
		switch c.GetAccessMode().GetMode() {
		case csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER,
			csi.VolumeCapability_AccessMode_SINGLE_NODE_READER_ONLY,
			csi.VolumeCapability_AccessMode_SINGLE_NODE_SINGLE_WRITER,
			csi.VolumeCapability_AccessMode_SINGLE_NODE_MULTI_WRITER:
		default:
			return status.Errorf(codes.InvalidArgument, "access mode %v is not supported by a zonal disk", c.GetAccessMode().GetMode())
		}
	}
	return nil
}

func (d *driver) knownZone(z string) bool {
	for _, k := range d.cfg.Zones {
		if k == z {
			return true
		}
	}
	return false
}

// pickZone follows what zonal cloud drivers do: the first preferred topology (for
// WaitForFirstConsumer that is the selected node's zone), else the first requisite one, else the
// first zone of the driver.
func (d *driver) pickZone(req *csi.TopologyRequirement) (string, error) {
	for _, list := range [][]*csi.Topology{req.GetPreferred(), req.GetRequisite()} {
		for _, t := range list {
			z, ok := t.GetSegments()[d.cfg.TopologyKey]
			if !ok {
				continue
			}
			if !d.knownZone(z) {
				return "", status.Errorf(codes.InvalidArgument, "unknown zone %q", z)
			}
			return z, nil
		}
	}
	if len(req.GetRequisite())+len(req.GetPreferred()) > 0 {
		return "", status.Errorf(codes.InvalidArgument, "no topology segment with key %s", d.cfg.TopologyKey)
	}
	return d.cfg.Zones[0], nil
}

// usedBytes is the capacity taken in a zone; the caller holds d.mu.
func (d *driver) usedBytes(zone string) int64 {
	var n int64
	for _, v := range d.st.Volumes {
		if v.Zone == zone {
			n += v.CapacityBytes
		}
	}
	return n
}

func (d *driver) capacityOf(zone string) int64 {
	if c, ok := d.faults.ZoneCapacityBytes[zone]; ok {
		return c
	}
	return d.cfg.ZoneCapacityBytes
}

func (d *driver) topology(zone string) []*csi.Topology {
	return []*csi.Topology{{Segments: map[string]string{d.cfg.TopologyKey: zone}}}
}

func (d *driver) volumeResponse(v *volume) *csi.CreateVolumeResponse {
	vol := &csi.Volume{
		VolumeId:           v.ID,
		CapacityBytes:      v.CapacityBytes,
		AccessibleTopology: d.topology(v.Zone),
		VolumeContext:      map[string]string{"zone": v.Zone},
	}
	if v.SourceSnap != "" {
		vol.ContentSource = &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{
			Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: v.SourceSnap}}}
	}
	return &csi.CreateVolumeResponse{Volume: vol}
}

func (d *driver) CreateVolume(ctx context.Context, req *csi.CreateVolumeRequest) (*csi.CreateVolumeResponse, error) {
	if req.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "name is required")
	}
	if err := checkCaps(req.GetVolumeCapabilities()); err != nil {
		return nil, err
	}
	size := req.GetCapacityRange().GetRequiredBytes()
	if size == 0 {
		size = defaultVolSize
	}
	if lim := req.GetCapacityRange().GetLimitBytes(); lim > 0 && size > lim {
		return nil, status.Errorf(codes.OutOfRange, "required %d > limit %d", size, lim)
	}
	// Round up to whole GiB, like cloud disks.
	size = (size + gib - 1) / gib * gib
	if lim := req.GetCapacityRange().GetLimitBytes(); lim > 0 && size > lim {
		size = lim
	}

	var srcSnap string
	if cs := req.GetVolumeContentSource(); cs != nil {
		if cs.GetSnapshot() == nil {
			return nil, status.Error(codes.InvalidArgument, "only snapshots are supported as a volume content source")
		}
		srcSnap = cs.GetSnapshot().GetSnapshotId()
	}

	d.mu.Lock()
	id := idFor("vol-", req.GetName())
	if v, ok := d.st.Volumes[id]; ok {
		d.mu.Unlock()
		if v.CapacityBytes < req.GetCapacityRange().GetRequiredBytes() || v.SourceSnap != srcSnap {
			return nil, status.Errorf(codes.AlreadyExists, "volume %s exists with other parameters", req.GetName())
		}
		return d.volumeResponse(v), nil
	}
	if d.inflight[req.GetName()] {
		d.mu.Unlock()
		return nil, status.Errorf(codes.Aborted, "an operation for volume %s is already in progress", req.GetName())
	}
	f := d.faults
	zone, err := d.pickZone(req.GetAccessibilityRequirements())
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	if f.CreateVolumeFail {
		d.mu.Unlock()
		return nil, status.Error(codes.Internal, "injected fault: createVolumeFail")
	}
	var snap *snapshot
	if srcSnap != "" {
		snap = d.st.Snapshots[srcSnap]
		if snap == nil {
			d.mu.Unlock()
			return nil, status.Errorf(codes.NotFound, "snapshot %s not found", srcSnap)
		}
		d.refresh(snap)
		if !snap.ReadyToUse {
			d.mu.Unlock()
			return nil, status.Errorf(codes.Unavailable, "snapshot %s is not ready", srcSnap)
		}
		if size < snap.SizeBytes {
			d.mu.Unlock()
			return nil, status.Errorf(codes.OutOfRange, "volume size %d is smaller than snapshot %s (%d)", size, srcSnap, snap.SizeBytes)
		}
		if f.RestoreFail {
			d.mu.Unlock()
			return nil, status.Error(codes.Internal, "injected fault: restoreFail")
		}
	}
	if free := d.capacityOf(zone) - d.usedBytes(zone); free < size {
		d.mu.Unlock()
		return nil, status.Errorf(codes.ResourceExhausted, "zone %s has %d bytes free, %d needed", zone, max(free, 0), size)
	}
	d.inflight[req.GetName()] = true
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.inflight, req.GetName())
		d.mu.Unlock()
	}()

	dir := d.volumeDir(id)
	tmp := dir + ".creating"
	_ = os.RemoveAll(tmp)
	if snap != nil {
		if err := sleepCtx(ctx, f.latency(snap.SizeBytes)); err != nil {
			return nil, status.FromContextError(err).Err()
		}
		if err := copyTree(d.snapshotDir(snap.ID), tmp); err != nil {
			return nil, status.Errorf(codes.Internal, "restore %s: %v", snap.ID, err)
		}
	} else if err := os.MkdirAll(tmp, 0o777); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	_ = os.Chmod(tmp, 0o777)

	d.mu.Lock()
	defer d.mu.Unlock()
	// Capacity is checked again: another CreateVolume may have taken it meanwhile.
	if free := d.capacityOf(zone) - d.usedBytes(zone); free < size {
		_ = os.RemoveAll(tmp)
		return nil, status.Errorf(codes.ResourceExhausted, "zone %s has %d bytes free, %d needed", zone, max(free, 0), size)
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	v := &volume{ID: id, Name: req.GetName(), Zone: zone, CapacityBytes: size, SourceSnap: srcSnap,
		Parameters: req.GetParameters(), CreatedAt: time.Now().UTC()}
	d.st.Volumes[id] = v
	if err := d.save(); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return d.volumeResponse(v), nil
}

func (d *driver) DeleteVolume(ctx context.Context, req *csi.DeleteVolumeRequest) (*csi.DeleteVolumeResponse, error) {
	if req.GetVolumeId() == "" {
		return nil, status.Error(codes.InvalidArgument, "volume_id is required")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.faults.DeleteVolumeFail {
		return nil, status.Error(codes.Internal, "injected fault: deleteVolumeFail")
	}
	if err := os.RemoveAll(d.volumeDir(req.GetVolumeId())); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if _, ok := d.st.Volumes[req.GetVolumeId()]; ok {
		delete(d.st.Volumes, req.GetVolumeId())
		if err := d.save(); err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
	}
	return &csi.DeleteVolumeResponse{}, nil
}

func (d *driver) ValidateVolumeCapabilities(ctx context.Context, req *csi.ValidateVolumeCapabilitiesRequest) (*csi.ValidateVolumeCapabilitiesResponse, error) {
	if req.GetVolumeId() == "" {
		return nil, status.Error(codes.InvalidArgument, "volume_id is required")
	}
	if len(req.GetVolumeCapabilities()) == 0 {
		return nil, status.Error(codes.InvalidArgument, "volume_capabilities is required")
	}
	d.mu.Lock()
	_, ok := d.st.Volumes[req.GetVolumeId()]
	d.mu.Unlock()
	if !ok {
		return nil, status.Errorf(codes.NotFound, "volume %s not found", req.GetVolumeId())
	}
	if err := checkCaps(req.GetVolumeCapabilities()); err != nil {
		return &csi.ValidateVolumeCapabilitiesResponse{Message: status.Convert(err).Message()}, nil
	}
	return &csi.ValidateVolumeCapabilitiesResponse{Confirmed: &csi.ValidateVolumeCapabilitiesResponse_Confirmed{
		VolumeContext:      req.GetVolumeContext(),
		VolumeCapabilities: req.GetVolumeCapabilities(),
		Parameters:         req.GetParameters(),
	}}, nil
}

func (d *driver) snapshotProto(s *snapshot) *csi.Snapshot {
	return &csi.Snapshot{
		SnapshotId:     s.ID,
		SourceVolumeId: s.SourceVolume,
		SizeBytes:      s.SizeBytes,
		CreationTime:   timestamppb.New(s.CreatedAt),
		ReadyToUse:     s.ReadyToUse,
	}
}

// refresh marks a snapshot ready once its simulated upload time has passed; caller holds d.mu.
func (d *driver) refresh(s *snapshot) {
	if !s.ReadyToUse && !d.faults.SnapshotNeverReady && !time.Now().Before(s.ReadyAt) {
		s.ReadyToUse = true
		_ = d.save()
	}
}

func (d *driver) CreateSnapshot(ctx context.Context, req *csi.CreateSnapshotRequest) (*csi.CreateSnapshotResponse, error) {
	if req.GetName() == "" || req.GetSourceVolumeId() == "" {
		return nil, status.Error(codes.InvalidArgument, "name and source_volume_id are required")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	id := idFor("snap-", req.GetName())
	if s, ok := d.st.Snapshots[id]; ok {
		if s.SourceVolume != req.GetSourceVolumeId() {
			return nil, status.Errorf(codes.AlreadyExists, "snapshot %s exists for another volume", req.GetName())
		}
		d.refresh(s)
		return &csi.CreateSnapshotResponse{Snapshot: d.snapshotProto(s)}, nil
	}
	v, ok := d.st.Volumes[req.GetSourceVolumeId()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "volume %s not found", req.GetSourceVolumeId())
	}
	if d.faults.SnapshotFail {
		return nil, status.Error(codes.Internal, "injected fault: snapshotFail")
	}
	// The copy is taken now (the point-in-time content); the snapshot becomes ready to use after
	// the simulated upload time, like a cloud snapshot that is cut at once and uploaded later.
	dst := d.snapshotDir(id)
	_ = os.RemoveAll(dst + ".tmp")
	if err := copyTree(d.volumeDir(v.ID), dst+".tmp"); err != nil {
		return nil, status.Errorf(codes.Internal, "copy %s: %v", v.ID, err)
	}
	_ = os.RemoveAll(dst)
	if err := os.Rename(dst+".tmp", dst); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	now := time.Now().UTC()
	s := &snapshot{ID: id, Name: req.GetName(), SourceVolume: v.ID, SourceZone: v.Zone, SizeBytes: v.CapacityBytes,
		CreatedAt: now, ReadyAt: now.Add(d.faults.latency(v.CapacityBytes))}
	d.refresh(s)
	d.st.Snapshots[id] = s
	if err := d.save(); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &csi.CreateSnapshotResponse{Snapshot: d.snapshotProto(s)}, nil
}

func (d *driver) DeleteSnapshot(ctx context.Context, req *csi.DeleteSnapshotRequest) (*csi.DeleteSnapshotResponse, error) {
	if req.GetSnapshotId() == "" {
		return nil, status.Error(codes.InvalidArgument, "snapshot_id is required")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.RemoveAll(d.snapshotDir(req.GetSnapshotId())); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if _, ok := d.st.Snapshots[req.GetSnapshotId()]; ok {
		delete(d.st.Snapshots, req.GetSnapshotId())
		if err := d.save(); err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
	}
	return &csi.DeleteSnapshotResponse{}, nil
}

func (d *driver) ListSnapshots(ctx context.Context, req *csi.ListSnapshotsRequest) (*csi.ListSnapshotsResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var all []*snapshot
	for _, s := range d.st.Snapshots {
		if req.GetSnapshotId() != "" && s.ID != req.GetSnapshotId() {
			continue
		}
		if req.GetSourceVolumeId() != "" && s.SourceVolume != req.GetSourceVolumeId() {
			continue
		}
		d.refresh(s)
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	start := 0
	if t := req.GetStartingToken(); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(all) {
			return nil, status.Errorf(codes.Aborted, "invalid starting_token %q", t)
		}
		start = n
	}
	end := len(all)
	if m := int(req.GetMaxEntries()); m > 0 && start+m < end {
		end = start + m
	}
	resp := &csi.ListSnapshotsResponse{}
	for _, s := range all[start:end] {
		resp.Entries = append(resp.Entries, &csi.ListSnapshotsResponse_Entry{Snapshot: d.snapshotProto(s)})
	}
	if end < len(all) {
		resp.NextToken = strconv.Itoa(end)
	}
	return resp, nil
}

// ---- helpers ---------------------------------------------------------------------------------

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// copyTree copies a directory (regular files, directories and symlinks), keeping modes.
func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case info.IsDir():
			return os.MkdirAll(target, info.Mode().Perm()|0o700)
		case info.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case info.Mode().IsRegular():
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			defer in.Close()
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, in); err != nil {
				out.Close()
				return err
			}
			return out.Close()
		}
		return nil
	})
}

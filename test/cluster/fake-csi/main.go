// Command fake-csi is a zonal, controller-only CSI driver for kubesafe's test cluster.
//
// It speaks the CSI gRPC protocol (Identity and Controller services) on a unix socket, behind the
// real external-provisioner and csi-snapshotter sidecars. A volume is a directory
// <state-dir>/volumes/<volume handle>/ whose files tests read and write; it lives in one zone and
// counts against that zone's disk capacity. A snapshot is a regional copy of a volume's directory
// (<state-dir>/snapshots/<snapshot id>/) that can be restored into any zone. The driver's state
// (each volume's zone, size and source; each snapshot's source and size) is kept in
// <state-dir>/csi-state.json, so it survives a restart of the driver.
//
// Fault knobs are served on a local HTTP port (see control.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
)

var version = "dev"

func main() {
	endpoint := flag.String("endpoint", "", "CSI endpoint, unix:///path/to/csi.sock")
	stateDir := flag.String("state-dir", "", "directory holding volumes/, snapshots/ and csi-state.json")
	controlAddr := flag.String("control-address", "127.0.0.1:0", "address of the HTTP fault-control server (loopback)")
	controlURLFile := flag.String("control-url-file", "", "file to write the control server's URL into")
	name := flag.String("driver-name", "fake.csi.kubesafe.dev", "CSI driver name")
	topologyKey := flag.String("topology-key", "topology.fake.csi.kubesafe.dev/zone", "topology key of the driver's zones")
	zones := flag.String("zones", "zone-a,zone-b,zone-c", "comma-separated zones")
	zoneCapacity := flag.Int64("zone-capacity-bytes", 100<<30, "disk capacity of each zone (bytes)")
	flag.Parse()

	if *endpoint == "" || *stateDir == "" {
		log.Fatal("--endpoint and --state-dir are required")
	}
	sock := strings.TrimPrefix(*endpoint, "unix://")
	if sock == *endpoint && strings.Contains(*endpoint, "://") {
		log.Fatalf("only unix:// endpoints are supported: %s", *endpoint)
	}

	d, err := newDriver(config{
		Name:              *name,
		TopologyKey:       *topologyKey,
		Zones:             strings.Split(*zones, ","),
		ZoneCapacityBytes: *zoneCapacity,
		StateDir:          *stateDir,
	})
	if err != nil {
		log.Fatalf("init: %v", err)
	}

	if err := os.MkdirAll(filepath.Dir(sock), 0o755); err != nil {
		log.Fatal(err)
	}
	_ = os.Remove(sock)
	lis, err := net.Listen("unix", sock)
	if err != nil {
		log.Fatalf("listen %s: %v", sock, err)
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(logCalls))
	csi.RegisterIdentityServer(srv, d)
	csi.RegisterControllerServer(srv, d)

	clis, err := net.Listen("tcp", *controlAddr)
	if err != nil {
		log.Fatalf("listen %s: %v", *controlAddr, err)
	}
	url := "http://" + clis.Addr().String()
	if *controlURLFile != "" {
		if err := os.WriteFile(*controlURLFile, []byte(url+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	hs := &http.Server{Handler: d.controlHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := hs.Serve(clis); err != nil && err != http.ErrServerClosed {
			log.Fatalf("control server: %v", err)
		}
	}()

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		log.Print("stopping")
		_ = hs.Close()
		srv.Stop()
		_ = os.Remove(sock)
	}()

	log.Printf("fake-csi %s: driver %s, zones %v (%d bytes each), CSI on %s, control on %s",
		version, *name, d.cfg.Zones, *zoneCapacity, sock, url)
	if err := srv.Serve(lis); err != nil {
		log.Fatalf("serve: %v", err)
	}
}

func logCalls(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := h(ctx, req)
	method := info.FullMethod[strings.LastIndex(info.FullMethod, "/")+1:]
	if method != "Probe" && method != "GetPluginInfo" && method != "GetPluginCapabilities" && method != "ControllerGetCapabilities" {
		if err != nil {
			log.Printf("%s(%s) failed after %s: %v", method, brief(req), time.Since(start).Round(time.Millisecond), err)
		} else {
			log.Printf("%s(%s) ok in %s", method, brief(req), time.Since(start).Round(time.Millisecond))
		}
	}
	return resp, err
}

func brief(req any) string {
	s := fmt.Sprintf("%v", req)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

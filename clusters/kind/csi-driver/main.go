// Command kc-csi is a small CSI driver of host directories, for kind clusters made from the node
// image this project builds (where no upstream CSI image can be had): volumes are directories
// under one host directory that every node mounts, created and deleted through the CSI
// controller service (with the upstream external-provisioner), expanded through
// ControllerExpandVolume (with the upstream external-resizer) and NodeExpandVolume (called by
// the kubelet), and bind-mounted into pods by the node service. In node mode it also registers
// itself with the kubelet's plugin registry, which upstream leaves to node-driver-registrar.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc"
	registerapi "k8s.io/kubelet/pkg/apis/pluginregistration/v1"
)

var version = "dev"

type options struct {
	mode            string
	endpoint        string
	driverName      string
	nodeID          string
	dataDir         string
	registrationDir string
	kubeletEndpoint string
}

func parseFlags(args []string) (*options, error) {
	fs := flag.NewFlagSet("kc-csi", flag.ContinueOnError)
	o := &options{}
	fs.StringVar(&o.mode, "mode", "", "controller or node")
	fs.StringVar(&o.endpoint, "endpoint", "/csi/csi.sock", "path of the CSI unix socket to serve")
	fs.StringVar(&o.driverName, "driver-name", "csi.kruise-conformance.io", "CSI driver name")
	fs.StringVar(&o.nodeID, "node-id", "", "node name (node mode)")
	fs.StringVar(&o.dataDir, "data-dir", "/var/lib/kruise-conformance-csi", "directory holding the volumes, the same host directory on every node")
	fs.StringVar(&o.registrationDir, "registration-dir", "/registration", "kubelet's plugins_registry directory (node mode)")
	fs.StringVar(&o.kubeletEndpoint, "kubelet-endpoint", "", "the CSI socket's path as the kubelet sees it (node mode)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch o.mode {
	case "controller":
	case "node":
		if o.nodeID == "" || o.kubeletEndpoint == "" {
			return nil, errors.New("node mode needs --node-id and --kubelet-endpoint")
		}
	default:
		return nil, fmt.Errorf("--mode must be controller or node, not %q", o.mode)
	}
	return o, nil
}

// listen removes a stale socket (a restarted container finds its old one) and listens anew.
func listen(path string) (net.Listener, error) {
	path = strings.TrimPrefix(path, "unix://")
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return net.Listen("unix", path)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("kc-csi", version)
		return
	}
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "kc-csi:", err)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		log.Fatalf("kc-csi: %v", err)
	}
}

func run(o *options) error {
	if err := os.MkdirAll(o.dataDir, 0o755); err != nil {
		return err
	}
	d := &Driver{Name: o.driverName, Version: version, NodeID: o.nodeID, Store: &Store{Root: o.dataDir}, Mounter: sysMounter{}}
	lis, err := listen(o.endpoint)
	if err != nil {
		return fmt.Errorf("CSI socket: %w", err)
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(logErrors))
	csi.RegisterIdentityServer(srv, d)
	if o.mode == "controller" {
		csi.RegisterControllerServer(srv, d)
	} else {
		csi.RegisterNodeServer(srv, d)
	}
	servers := []*grpc.Server{srv}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(lis) }()
	log.Printf("kc-csi %s: %s mode, %s on %s, data in %s", version, o.mode, o.driverName, o.endpoint, o.dataDir)

	if o.mode == "node" {
		reg := &registration{driverName: o.driverName, endpoint: o.kubeletEndpoint, done: make(chan error, 1)}
		regSock := filepath.Join(o.registrationDir, o.driverName+"-reg.sock")
		rl, err := listen(regSock)
		if err != nil {
			return fmt.Errorf("registration socket: %w", err)
		}
		rs := grpc.NewServer()
		registerapi.RegisterRegistrationServer(rs, reg)
		servers = append(servers, rs)
		go func() { errc <- rs.Serve(rl) }()
		go func() {
			if err := <-reg.done; err != nil {
				errc <- err
			}
		}()
		log.Printf("registration socket %s (kubelet reaches the driver at %s)", regSock, o.kubeletEndpoint)
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sigs:
		log.Printf("stopping on %v", s)
		for _, s := range servers {
			s.GracefulStop()
		}
		return nil
	case err := <-errc:
		return err
	}
}

func logErrors(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		log.Printf("%s: %v", info.FullMethod, err)
	}
	return resp, err
}

// registration answers the kubelet's plugin watcher, as node-driver-registrar does.
type registration struct {
	registerapi.UnimplementedRegistrationServer
	driverName string
	endpoint   string
	done       chan error
}

func (r *registration) GetInfo(context.Context, *registerapi.InfoRequest) (*registerapi.PluginInfo, error) {
	return &registerapi.PluginInfo{Type: registerapi.CSIPlugin, Name: r.driverName, Endpoint: r.endpoint, SupportedVersions: []string{"1.0.0"}}, nil
}

func (r *registration) NotifyRegistrationStatus(_ context.Context, s *registerapi.RegistrationStatus) (*registerapi.RegistrationStatusResponse, error) {
	if s.PluginRegistered {
		log.Printf("registered with the kubelet")
	} else {
		log.Printf("the kubelet refused the registration: %s", s.Error)
		select {
		case r.done <- fmt.Errorf("kubelet refused registration: %s", s.Error):
		default:
		}
	}
	return &registerapi.RegistrationStatusResponse{}, nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"golang.org/x/sys/unix"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultCapacity is what a CreateVolume without a capacity range gets (the CSI default is the
// plugin's choice).
const DefaultCapacity int64 = 1 << 30

// Driver implements the CSI identity, controller and node services over a Store.
type Driver struct {
	csi.UnimplementedIdentityServer
	csi.UnimplementedControllerServer
	csi.UnimplementedNodeServer

	Name    string
	Version string
	NodeID  string
	Store   *Store
	// Mounter does the node's bind mounts; tests replace it.
	Mounter Mounter
}

// Mounter is the part of mount(2) the node service needs.
type Mounter interface {
	BindMount(source, target string, readOnly bool) error
	Unmount(target string) error
	IsMountPoint(path string) (bool, error)
}

// --- Identity ---

func (d *Driver) GetPluginInfo(context.Context, *csi.GetPluginInfoRequest) (*csi.GetPluginInfoResponse, error) {
	return &csi.GetPluginInfoResponse{Name: d.Name, VendorVersion: d.Version}, nil
}

func (d *Driver) GetPluginCapabilities(context.Context, *csi.GetPluginCapabilitiesRequest) (*csi.GetPluginCapabilitiesResponse, error) {
	return &csi.GetPluginCapabilitiesResponse{Capabilities: []*csi.PluginCapability{
		{Type: &csi.PluginCapability_Service_{Service: &csi.PluginCapability_Service{Type: csi.PluginCapability_Service_CONTROLLER_SERVICE}}},
		{Type: &csi.PluginCapability_VolumeExpansion_{VolumeExpansion: &csi.PluginCapability_VolumeExpansion{Type: csi.PluginCapability_VolumeExpansion_ONLINE}}},
	}}, nil
}

func (d *Driver) Probe(context.Context, *csi.ProbeRequest) (*csi.ProbeResponse, error) {
	if _, err := os.Stat(d.Store.Root); err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "data root: %v", err)
	}
	return &csi.ProbeResponse{}, nil
}

// --- Controller ---

func (d *Driver) ControllerGetCapabilities(context.Context, *csi.ControllerGetCapabilitiesRequest) (*csi.ControllerGetCapabilitiesResponse, error) {
	rpc := func(t csi.ControllerServiceCapability_RPC_Type) *csi.ControllerServiceCapability {
		return &csi.ControllerServiceCapability{Type: &csi.ControllerServiceCapability_Rpc{Rpc: &csi.ControllerServiceCapability_RPC{Type: t}}}
	}
	return &csi.ControllerGetCapabilitiesResponse{Capabilities: []*csi.ControllerServiceCapability{
		rpc(csi.ControllerServiceCapability_RPC_CREATE_DELETE_VOLUME),
		rpc(csi.ControllerServiceCapability_RPC_EXPAND_VOLUME),
	}}, nil
}

// capacityOf picks the size for a capacity range: the required bytes, else the limit when it is
// below the default, else the default.
func capacityOf(r *csi.CapacityRange) (int64, error) {
	if r == nil {
		return DefaultCapacity, nil
	}
	req, lim := r.GetRequiredBytes(), r.GetLimitBytes()
	if req < 0 || lim < 0 {
		return 0, status.Error(codes.InvalidArgument, "capacity range must not be negative")
	}
	if lim > 0 && req > lim {
		return 0, status.Errorf(codes.InvalidArgument, "required bytes %d exceed the limit %d", req, lim)
	}
	switch {
	case req > 0:
		return req, nil
	case lim > 0 && lim < DefaultCapacity:
		return lim, nil
	default:
		return DefaultCapacity, nil
	}
}

func checkCapabilities(caps []*csi.VolumeCapability) error {
	if len(caps) == 0 {
		return status.Error(codes.InvalidArgument, "volume capabilities are required")
	}
	for _, c := range caps {
		if c.GetBlock() != nil {
			return status.Error(codes.InvalidArgument, "block volumes are not supported (directories only)")
		}
		if c.GetMount() == nil {
			return status.Error(codes.InvalidArgument, "an access type (mount) is required")
		}
	}
	return nil
}

func (d *Driver) CreateVolume(_ context.Context, req *csi.CreateVolumeRequest) (*csi.CreateVolumeResponse, error) {
	if req.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "name is required")
	}
	if err := checkCapabilities(req.GetVolumeCapabilities()); err != nil {
		return nil, err
	}
	if req.GetVolumeContentSource() != nil {
		return nil, status.Error(codes.InvalidArgument, "volume content sources (snapshots, clones) are not supported")
	}
	capacity, err := capacityOf(req.GetCapacityRange())
	if err != nil {
		return nil, err
	}
	v, err := d.Store.Create(req.GetName(), capacity)
	if errors.Is(err, ErrConflict) {
		return nil, status.Error(codes.AlreadyExists, err.Error())
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "create %s: %v", req.GetName(), err)
	}
	log.Printf("CreateVolume %s -> %s (%d bytes)", req.GetName(), v.ID, v.CapacityBytes)
	return &csi.CreateVolumeResponse{Volume: &csi.Volume{VolumeId: v.ID, CapacityBytes: v.CapacityBytes}}, nil
}

func (d *Driver) DeleteVolume(_ context.Context, req *csi.DeleteVolumeRequest) (*csi.DeleteVolumeResponse, error) {
	if req.GetVolumeId() == "" {
		return nil, status.Error(codes.InvalidArgument, "volume ID is required")
	}
	if err := d.Store.Delete(req.GetVolumeId()); err != nil {
		return nil, status.Errorf(codes.Internal, "delete %s: %v", req.GetVolumeId(), err)
	}
	log.Printf("DeleteVolume %s", req.GetVolumeId())
	return &csi.DeleteVolumeResponse{}, nil
}

func (d *Driver) ValidateVolumeCapabilities(_ context.Context, req *csi.ValidateVolumeCapabilitiesRequest) (*csi.ValidateVolumeCapabilitiesResponse, error) {
	if _, err := d.volume(req.GetVolumeId()); err != nil {
		return nil, err
	}
	if err := checkCapabilities(req.GetVolumeCapabilities()); err != nil {
		return &csi.ValidateVolumeCapabilitiesResponse{Message: err.Error()}, nil
	}
	return &csi.ValidateVolumeCapabilitiesResponse{Confirmed: &csi.ValidateVolumeCapabilitiesResponse_Confirmed{VolumeCapabilities: req.GetVolumeCapabilities()}}, nil
}

func (d *Driver) volume(id string) (*Volume, error) {
	if id == "" {
		return nil, status.Error(codes.InvalidArgument, "volume ID is required")
	}
	v, err := d.Store.Get(id)
	if errors.Is(err, ErrNotFound) {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return v, nil
}

// ControllerExpandVolume records the new size; the node step (NodeExpandVolume) follows, as
// for a real filesystem, so expansions go through the kubelet too.
func (d *Driver) ControllerExpandVolume(_ context.Context, req *csi.ControllerExpandVolumeRequest) (*csi.ControllerExpandVolumeResponse, error) {
	if _, err := d.volume(req.GetVolumeId()); err != nil {
		return nil, err
	}
	want, err := capacityOf(req.GetCapacityRange())
	if err != nil {
		return nil, err
	}
	got, err := d.Store.Expand(req.GetVolumeId(), want)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "expand %s: %v", req.GetVolumeId(), err)
	}
	log.Printf("ControllerExpandVolume %s -> %d bytes", req.GetVolumeId(), got)
	return &csi.ControllerExpandVolumeResponse{CapacityBytes: got, NodeExpansionRequired: true}, nil
}

// --- Node ---

func (d *Driver) NodeGetInfo(context.Context, *csi.NodeGetInfoRequest) (*csi.NodeGetInfoResponse, error) {
	return &csi.NodeGetInfoResponse{NodeId: d.NodeID}, nil
}

func (d *Driver) NodeGetCapabilities(context.Context, *csi.NodeGetCapabilitiesRequest) (*csi.NodeGetCapabilitiesResponse, error) {
	return &csi.NodeGetCapabilitiesResponse{Capabilities: []*csi.NodeServiceCapability{
		{Type: &csi.NodeServiceCapability_Rpc{Rpc: &csi.NodeServiceCapability_RPC{Type: csi.NodeServiceCapability_RPC_EXPAND_VOLUME}}},
	}}, nil
}

func (d *Driver) NodePublishVolume(_ context.Context, req *csi.NodePublishVolumeRequest) (*csi.NodePublishVolumeResponse, error) {
	v, err := d.volume(req.GetVolumeId())
	if err != nil {
		return nil, err
	}
	target := req.GetTargetPath()
	if target == "" {
		return nil, status.Error(codes.InvalidArgument, "target path is required")
	}
	if err := checkCapabilities([]*csi.VolumeCapability{req.GetVolumeCapability()}); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(target, 0o750); err != nil {
		return nil, status.Errorf(codes.Internal, "target %s: %v", target, err)
	}
	mounted, err := d.Mounter.IsMountPoint(target)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "target %s: %v", target, err)
	}
	if !mounted {
		if err := d.Mounter.BindMount(d.Store.DataPath(v.ID), target, req.GetReadonly()); err != nil {
			return nil, status.Errorf(codes.Internal, "bind %s on %s: %v", v.ID, target, err)
		}
	}
	log.Printf("NodePublishVolume %s on %s (read-only %v)", v.ID, target, req.GetReadonly())
	return &csi.NodePublishVolumeResponse{}, nil
}

func (d *Driver) NodeUnpublishVolume(_ context.Context, req *csi.NodeUnpublishVolumeRequest) (*csi.NodeUnpublishVolumeResponse, error) {
	target := req.GetTargetPath()
	if req.GetVolumeId() == "" || target == "" {
		return nil, status.Error(codes.InvalidArgument, "volume ID and target path are required")
	}
	mounted, err := d.Mounter.IsMountPoint(target)
	if errors.Is(err, os.ErrNotExist) {
		return &csi.NodeUnpublishVolumeResponse{}, nil
	}
	if err != nil {
		return nil, status.Errorf(codes.Internal, "target %s: %v", target, err)
	}
	if mounted {
		if err := d.Mounter.Unmount(target); err != nil {
			return nil, status.Errorf(codes.Internal, "unmount %s: %v", target, err)
		}
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, status.Errorf(codes.Internal, "remove %s: %v", target, err)
	}
	log.Printf("NodeUnpublishVolume %s from %s", req.GetVolumeId(), target)
	return &csi.NodeUnpublishVolumeResponse{}, nil
}

// NodeExpandVolume: a directory has no filesystem of its own to grow, so the node step confirms
// the capacity the controller recorded (and refuses a size beyond it).
func (d *Driver) NodeExpandVolume(_ context.Context, req *csi.NodeExpandVolumeRequest) (*csi.NodeExpandVolumeResponse, error) {
	v, err := d.volume(req.GetVolumeId())
	if err != nil {
		return nil, err
	}
	if req.GetVolumePath() == "" {
		return nil, status.Error(codes.InvalidArgument, "volume path is required")
	}
	want, err := capacityOf(req.GetCapacityRange())
	if err != nil {
		return nil, err
	}
	if want > v.CapacityBytes {
		return nil, status.Errorf(codes.OutOfRange, "%s: %d bytes asked on the node, the controller expanded it to %d", v.ID, want, v.CapacityBytes)
	}
	log.Printf("NodeExpandVolume %s at %s -> %d bytes", v.ID, req.GetVolumePath(), v.CapacityBytes)
	return &csi.NodeExpandVolumeResponse{CapacityBytes: v.CapacityBytes}, nil
}

// --- mount(2) ---

type sysMounter struct{}

func (sysMounter) BindMount(source, target string, readOnly bool) error {
	if err := unix.Mount(source, target, "", unix.MS_BIND, ""); err != nil {
		return err
	}
	if readOnly {
		if err := unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			_ = unix.Unmount(target, 0)
			return err
		}
	}
	return nil
}

func (sysMounter) Unmount(target string) error { return unix.Unmount(target, 0) }

// IsMountPoint compares the device of path with its parent's, and for a bind mount of a
// directory on the same filesystem (the usual case here) reads /proc/self/mountinfo.
func (sysMounter) IsMountPoint(path string) (bool, error) {
	if _, err := os.Stat(path); err != nil {
		return false, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false, err
	}
	return mountinfoHas(string(b), abs), nil
}

// mountinfoHas reports whether a mount point (field 5 of a mountinfo line) equals path.
func mountinfoHas(mountinfo, path string) bool {
	for _, line := range splitLines(mountinfo) {
		var id, parent int
		var devs, root, point string
		if n, _ := fmt.Sscanf(line, "%d %d %s %s %s", &id, &parent, &devs, &root, &point); n == 5 && unescapeOctal(point) == path {
			return true
		}
	}
	return false
}

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

// fakeMounter records bind mounts instead of calling mount(2).
type fakeMounter struct {
	mounts map[string]string // target -> source
	ro     map[string]bool
}

func newFakeMounter() *fakeMounter {
	return &fakeMounter{mounts: map[string]string{}, ro: map[string]bool{}}
}

func (f *fakeMounter) BindMount(source, target string, readOnly bool) error {
	f.mounts[target] = source
	f.ro[target] = readOnly
	return nil
}
func (f *fakeMounter) Unmount(target string) error { delete(f.mounts, target); return nil }
func (f *fakeMounter) IsMountPoint(path string) (bool, error) {
	if _, err := os.Stat(path); err != nil {
		return false, err
	}
	_, ok := f.mounts[path]
	return ok, nil
}

func newDriver(t *testing.T) (*Driver, *fakeMounter) {
	t.Helper()
	m := newFakeMounter()
	return &Driver{Name: "csi.kruise-conformance.io", Version: "test", NodeID: "n1", Store: &Store{Root: t.TempDir()}, Mounter: m}, m
}

var mountCap = &csi.VolumeCapability{
	AccessType: &csi.VolumeCapability_Mount{Mount: &csi.VolumeCapability_MountVolume{}},
	AccessMode: &csi.VolumeCapability_AccessMode{Mode: csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER},
}

func create(t *testing.T, d *Driver, name string, bytes int64) *csi.Volume {
	t.Helper()
	r, err := d.CreateVolume(context.Background(), &csi.CreateVolumeRequest{Name: name, VolumeCapabilities: []*csi.VolumeCapability{mountCap}, CapacityRange: &csi.CapacityRange{RequiredBytes: bytes}})
	if err != nil {
		t.Fatalf("CreateVolume %s: %v", name, err)
	}
	return r.GetVolume()
}

func code(err error) codes.Code { return status.Code(err) }

func TestCreateIsIdempotentAndRecordsCapacity(t *testing.T) {
	d, _ := newDriver(t)
	a := create(t, d, "pvc-1", 1<<30)
	b := create(t, d, "pvc-1", 1<<30)
	if a.GetVolumeId() != b.GetVolumeId() || a.GetCapacityBytes() != 1<<30 {
		t.Fatalf("retried CreateVolume gave %v then %v", a, b)
	}
	if st, err := os.Stat(d.Store.DataPath(a.GetVolumeId())); err != nil || !st.IsDir() || st.Mode().Perm() != 0o777 {
		t.Fatalf("data directory: %v %v", st, err)
	}
	if other := create(t, d, "pvc-2", 2<<30); other.GetVolumeId() == a.GetVolumeId() {
		t.Fatal("two names share a volume ID")
	}
	_, err := d.CreateVolume(context.Background(), &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{mountCap}, CapacityRange: &csi.CapacityRange{RequiredBytes: 5 << 30}})
	if code(err) != codes.AlreadyExists {
		t.Fatalf("same name, other size: got %v, want AlreadyExists", err)
	}
}

func TestCreateRefusesBadRequests(t *testing.T) {
	d, _ := newDriver(t)
	block := &csi.VolumeCapability{AccessType: &csi.VolumeCapability_Block{Block: &csi.VolumeCapability_BlockVolume{}}}
	for name, req := range map[string]*csi.CreateVolumeRequest{
		"no name":          {VolumeCapabilities: []*csi.VolumeCapability{mountCap}},
		"no capabilities":  {Name: "x"},
		"block":            {Name: "x", VolumeCapabilities: []*csi.VolumeCapability{block}},
		"required > limit": {Name: "x", VolumeCapabilities: []*csi.VolumeCapability{mountCap}, CapacityRange: &csi.CapacityRange{RequiredBytes: 10, LimitBytes: 5}},
		"snapshot source":  {Name: "x", VolumeCapabilities: []*csi.VolumeCapability{mountCap}, VolumeContentSource: &csi.VolumeContentSource{Type: &csi.VolumeContentSource_Snapshot{Snapshot: &csi.VolumeContentSource_SnapshotSource{SnapshotId: "s"}}}},
	} {
		if _, err := d.CreateVolume(context.Background(), req); code(err) != codes.InvalidArgument {
			t.Errorf("%s: got %v, want InvalidArgument", name, err)
		}
	}
}

func TestCapacityDefaults(t *testing.T) {
	for _, c := range []struct {
		r    *csi.CapacityRange
		want int64
	}{
		{nil, DefaultCapacity},
		{&csi.CapacityRange{}, DefaultCapacity},
		{&csi.CapacityRange{RequiredBytes: 5}, 5},
		{&csi.CapacityRange{LimitBytes: 1 << 20}, 1 << 20},
		{&csi.CapacityRange{LimitBytes: 4 << 30}, DefaultCapacity},
	} {
		if got, err := capacityOf(c.r); err != nil || got != c.want {
			t.Errorf("capacityOf(%v) = %d, %v; want %d", c.r, got, err, c.want)
		}
	}
}

func TestExpandGrowsNeverShrinksAndNeedsTheNode(t *testing.T) {
	d, _ := newDriver(t)
	v := create(t, d, "pvc-1", 1<<30)
	r, err := d.ControllerExpandVolume(context.Background(), &csi.ControllerExpandVolumeRequest{VolumeId: v.GetVolumeId(), CapacityRange: &csi.CapacityRange{RequiredBytes: 2 << 30}})
	if err != nil || r.GetCapacityBytes() != 2<<30 || !r.GetNodeExpansionRequired() {
		t.Fatalf("expand to 2Gi: %v %v", r, err)
	}
	r, err = d.ControllerExpandVolume(context.Background(), &csi.ControllerExpandVolumeRequest{VolumeId: v.GetVolumeId(), CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 30}})
	if err != nil || r.GetCapacityBytes() != 2<<30 {
		t.Fatalf("a smaller request keeps 2Gi: %v %v", r, err)
	}
	n, err := d.NodeExpandVolume(context.Background(), &csi.NodeExpandVolumeRequest{VolumeId: v.GetVolumeId(), VolumePath: "/p", CapacityRange: &csi.CapacityRange{RequiredBytes: 2 << 30}})
	if err != nil || n.GetCapacityBytes() != 2<<30 {
		t.Fatalf("node expand: %v %v", n, err)
	}
	if _, err := d.NodeExpandVolume(context.Background(), &csi.NodeExpandVolumeRequest{VolumeId: v.GetVolumeId(), VolumePath: "/p", CapacityRange: &csi.CapacityRange{RequiredBytes: 3 << 30}}); code(err) != codes.OutOfRange {
		t.Fatalf("node expand beyond the controller's size: got %v, want OutOfRange", err)
	}
	if _, err := d.ControllerExpandVolume(context.Background(), &csi.ControllerExpandVolumeRequest{VolumeId: IDFor("nope"), CapacityRange: &csi.CapacityRange{RequiredBytes: 1}}); code(err) != codes.NotFound {
		t.Fatalf("unknown volume: got %v, want NotFound", err)
	}
	if _, err := d.ControllerExpandVolume(context.Background(), &csi.ControllerExpandVolumeRequest{VolumeId: "../etc", CapacityRange: &csi.CapacityRange{RequiredBytes: 1}}); code(err) != codes.NotFound {
		t.Fatalf("a path as volume ID: got %v, want NotFound", err)
	}
}

func TestDeleteRemovesDataAndIsIdempotent(t *testing.T) {
	d, _ := newDriver(t)
	v := create(t, d, "pvc-1", 1<<30)
	if err := os.WriteFile(filepath.Join(d.Store.DataPath(v.GetVolumeId()), "f"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := d.DeleteVolume(context.Background(), &csi.DeleteVolumeRequest{VolumeId: v.GetVolumeId()}); err != nil {
			t.Fatalf("delete #%d: %v", i+1, err)
		}
	}
	if entries, _ := os.ReadDir(d.Store.Root); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestPublishBindsTheVolumeAndUnpublishUndoesIt(t *testing.T) {
	d, m := newDriver(t)
	v := create(t, d, "pvc-1", 1<<30)
	target := filepath.Join(t.TempDir(), "pods", "uid", "mount")
	req := &csi.NodePublishVolumeRequest{VolumeId: v.GetVolumeId(), TargetPath: target, VolumeCapability: mountCap, Readonly: true}
	for i := 0; i < 2; i++ {
		if _, err := d.NodePublishVolume(context.Background(), req); err != nil {
			t.Fatalf("publish #%d: %v", i+1, err)
		}
	}
	if m.mounts[target] != d.Store.DataPath(v.GetVolumeId()) || !m.ro[target] {
		t.Fatalf("mounts %v ro %v", m.mounts, m.ro)
	}
	for i := 0; i < 2; i++ {
		if _, err := d.NodeUnpublishVolume(context.Background(), &csi.NodeUnpublishVolumeRequest{VolumeId: v.GetVolumeId(), TargetPath: target}); err != nil {
			t.Fatalf("unpublish #%d: %v", i+1, err)
		}
	}
	if len(m.mounts) != 0 {
		t.Fatalf("still mounted: %v", m.mounts)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("target not removed: %v", err)
	}
	if _, err := d.NodePublishVolume(context.Background(), &csi.NodePublishVolumeRequest{VolumeId: IDFor("nope"), TargetPath: target, VolumeCapability: mountCap}); code(err) != codes.NotFound {
		t.Fatalf("publish of an unknown volume: got %v, want NotFound", err)
	}
}

func TestCapabilitiesAdvertiseExpansion(t *testing.T) {
	d, _ := newDriver(t)
	pc, _ := d.GetPluginCapabilities(context.Background(), nil)
	cc, _ := d.ControllerGetCapabilities(context.Background(), nil)
	nc, _ := d.NodeGetCapabilities(context.Background(), nil)
	if pc.GetCapabilities()[1].GetVolumeExpansion().GetType() != csi.PluginCapability_VolumeExpansion_ONLINE {
		t.Errorf("plugin capabilities: %v", pc)
	}
	if cc.GetCapabilities()[1].GetRpc().GetType() != csi.ControllerServiceCapability_RPC_EXPAND_VOLUME {
		t.Errorf("controller capabilities: %v", cc)
	}
	if nc.GetCapabilities()[0].GetRpc().GetType() != csi.NodeServiceCapability_RPC_EXPAND_VOLUME {
		t.Errorf("node capabilities: %v", nc)
	}
}

func TestMountinfo(t *testing.T) {
	info := "22 1 0:21 / / rw - ext4 /dev/vda rw\n" +
		"100 22 0:21 /csi/kc-1 /var/lib/kubelet/pods/u/volumes/kubernetes.io~csi/pvc\\040a/mount rw - ext4 /dev/vda rw\n"
	if !mountinfoHas(info, "/var/lib/kubelet/pods/u/volumes/kubernetes.io~csi/pvc a/mount") {
		t.Error("escaped mount point not found")
	}
	if mountinfoHas(info, "/var/lib/kubelet") {
		t.Error("a parent directory is not a mount point")
	}
}

func TestFlags(t *testing.T) {
	if _, err := parseFlags([]string{"--mode", "node"}); err == nil {
		t.Error("node mode without --node-id accepted")
	}
	if _, err := parseFlags([]string{"--mode", "both"}); err == nil {
		t.Error("unknown mode accepted")
	}
	if o, err := parseFlags([]string{"--mode", "controller"}); err != nil || o.endpoint != "/csi/csi.sock" {
		t.Errorf("controller defaults: %v %v", o, err)
	}
}

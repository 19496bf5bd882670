// kc-csi: the kind provider's own CSI driver for the node image built on this machine (no
// upstream CSI image can be pulled there). Our code; dependencies pinned by go.sum.
module kruise-conformance/csi-driver

go 1.26.0

require (
	github.com/container-storage-interface/spec v1.12.0
	golang.org/x/sys v0.40.0
	google.golang.org/grpc v1.79.3
	k8s.io/kubelet v0.34.10
)

require (
	golang.org/x/net v0.48.0 // indirect
	golang.org/x/text v0.32.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20251202230838-ff82c1b0f217 // indirect
	google.golang.org/protobuf v1.36.12-0.20260120151049-f2248ac996af // indirect
)

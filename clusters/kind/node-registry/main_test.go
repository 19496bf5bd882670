package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const lsOutput = `REF                                                                                                     TYPE                                                      DIGEST                                                                  SIZE      PLATFORMS   LABELS
registry.k8s.io/pause:3.9                                                                               application/vnd.docker.distribution.manifest.v2+json      sha256:1111111111111111111111111111111111111111111111111111111111111111 1.2 MiB   linux/amd64 io.cri-containerd.image=managed,io.cri-containerd.pinned=pinned
registry.k8s.io/coredns/coredns:v1.12.1                                                                 application/vnd.oci.image.manifest.v1+json                sha256:2222222222222222222222222222222222222222222222222222222222222222 20.0 MiB  linux/amd64 -
sha256:3333333333333333333333333333333333333333333333333333333333333333                                 application/vnd.docker.distribution.manifest.v2+json      sha256:1111111111111111111111111111111111111111111111111111111111111111 1.2 MiB   linux/amd64 -
`

type fakeLookup struct{ dir string }

func (f fakeLookup) Images() ([]Image, error) { return parseImages(lsOutput), nil }
func (f fakeLookup) Blob(d string) (*os.File, error) {
	return os.Open(filepath.Join(f.dir, strings.TrimPrefix(d, "sha256:")))
}

func server(t *testing.T) *httptest.Server {
	dir := t.TempDir()
	write := func(d, body string) {
		if err := os.WriteFile(filepath.Join(dir, d), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(strings.Repeat("1", 64), `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{}}`)
	write(strings.Repeat("4", 64), "layer bytes")
	s := httptest.NewServer(&Server{Lookup: fakeLookup{dir}, DefaultRegistry: "docker.io"})
	t.Cleanup(s.Close)
	return s
}

func TestParseImages(t *testing.T) {
	images := parseImages(lsOutput)
	if len(images) != 3 || images[1].Ref != "registry.k8s.io/coredns/coredns:v1.12.1" || images[1].MediaType != "application/vnd.oci.image.manifest.v1+json" {
		t.Fatalf("parsed %+v", images)
	}
	if len(parseImages("")) != 0 || len(parseImages("REF TYPE DIGEST\n")) != 0 {
		t.Fatal("empty output gives images")
	}
}

func TestRoute(t *testing.T) {
	for path, want := range map[string][3]string{
		"/v2/pause/manifests/3.9":                         {"pause", "manifests", "3.9"},
		"/v2/coredns/coredns/manifests/v1.12.1":           {"coredns/coredns", "manifests", "v1.12.1"},
		"/v2/a/b/blobs/sha256:" + strings.Repeat("4", 64): {"a/b", "blobs", "sha256:" + strings.Repeat("4", 64)},
	} {
		n, k, r, ok := route(path)
		if !ok || [3]string{n, k, r} != want {
			t.Errorf("route(%s) = %s %s %s %v", path, n, k, r, ok)
		}
	}
	for _, bad := range []string{"/v2/pause/manifests/", "/v1/pause/manifests/3.9", "/v2/pause"} {
		if _, _, _, ok := route(bad); ok {
			t.Errorf("route(%s) accepted", bad)
		}
	}
}

func TestResolvesTagsTheNodeHolds(t *testing.T) {
	s := server(t)
	resp, err := http.Head(s.URL + "/v2/pause/manifests/3.9?ns=registry.k8s.io")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != "sha256:"+strings.Repeat("1", 64) || resp.Header.Get("Content-Type") != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Fatalf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
	for _, missing := range []string{"/v2/pause/manifests/3.9", "/v2/pause/manifests/9.9?ns=registry.k8s.io", "/v2/nginx/manifests/1?ns=docker.io"} {
		r, _ := http.Get(s.URL + missing)
		if r.StatusCode != 404 {
			t.Errorf("%s: %d, want 404 (the node does not hold it)", missing, r.StatusCode)
		}
	}
}

func TestServesManifestsAndBlobsByDigest(t *testing.T) {
	s := server(t)
	r, _ := http.Get(s.URL + "/v2/pause/manifests/sha256:" + strings.Repeat("1", 64) + "?ns=registry.k8s.io")
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Fatalf("manifest by digest: %d %v", r.StatusCode, r.Header)
	}
	r, _ = http.Get(s.URL + "/v2/pause/blobs/sha256:" + strings.Repeat("4", 64))
	if r.StatusCode != 200 || r.ContentLength != int64(len("layer bytes")) {
		t.Fatalf("blob: %d %d", r.StatusCode, r.ContentLength)
	}
	r, _ = http.Get(s.URL + "/v2/pause/blobs/sha256:" + strings.Repeat("5", 64))
	if r.StatusCode != 404 {
		t.Fatalf("absent blob: %d", r.StatusCode)
	}
	r, _ = http.Get(s.URL + "/v2/pause/blobs/../../etc/passwd")
	if r.StatusCode == 200 {
		t.Fatal("a path as digest was served")
	}
	req, _ := http.NewRequest(http.MethodPut, s.URL+"/v2/pause/manifests/3.9", nil)
	if r, _ := http.DefaultClient.Do(req); r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d", r.StatusCode)
	}
	if r, _ := http.Get(s.URL + "/v2/"); r.StatusCode != 200 {
		t.Fatalf("/v2/: %d", r.StatusCode)
	}
}

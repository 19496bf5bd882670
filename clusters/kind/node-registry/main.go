// Command kc-node-registry answers image pulls inside a kind node that cannot reach any
// registry. Kubernetes (and OpenKruise, for the containers of its workloads) default
// imagePullPolicy to Always, so the kubelet asks containerd to pull images the node already has;
// offline, such a pull fails. containerd is pointed at this program as a mirror of each registry
// (/etc/containerd/certs.d/<registry>/hosts.toml, written by the harness), and the program serves
// the registry API's read side from the node's own content store: manifests by tag through
// `ctr images ls` (so images loaded later are found too), manifests and blobs by digest from the
// content store's files. A pull of an image the node holds then resolves to the digest it
// already has and fetches nothing; an image the node lacks is a 404, as from a real registry.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Image is one line of `ctr -n k8s.io images ls`: a reference, the media type of its target
// (manifest or index) and the target's digest.
type Image struct {
	Ref, MediaType, Digest string
}

// Lookup finds images and blobs; the real one reads containerd, tests use a fake.
type Lookup interface {
	Images() ([]Image, error)
	// Blob opens the content of a digest; os.ErrNotExist when the store lacks it.
	Blob(digest string) (*os.File, error)
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// parseImages reads `ctr images ls` output: a header, then REF TYPE DIGEST SIZE... columns.
func parseImages(out string) []Image {
	var images []Image
	sc := bufio.NewScanner(strings.NewReader(out))
	first := true
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if first {
			first = false
			if len(f) > 0 && f[0] == "REF" {
				continue
			}
		}
		if len(f) >= 3 && digestRE.MatchString(f[2]) {
			images = append(images, Image{Ref: f[0], MediaType: f[1], Digest: f[2]})
		}
	}
	return images
}

// route splits /v2/<name>/(manifests|blobs)/<reference>; name may contain slashes.
func route(path string) (name, kind, ref string, ok bool) {
	rest, found := strings.CutPrefix(path, "/v2/")
	if !found {
		return "", "", "", false
	}
	for _, k := range []string{"/manifests/", "/blobs/"} {
		if i := strings.LastIndex(rest, k); i > 0 {
			return rest[:i], strings.Trim(k, "/"), rest[i+len(k):], rest[i+len(k):] != ""
		}
	}
	return "", "", "", false
}

// Server is the registry's HTTP side.
type Server struct {
	Lookup Lookup
	// DefaultRegistry is the host an unqualified request (no ?ns=) is taken to be for.
	DefaultRegistry string
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "read-only registry", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Docker-Distribution-Api-Version", "registry/2.0")
	if r.URL.Path == "/v2/" || r.URL.Path == "/v2" {
		w.WriteHeader(http.StatusOK)
		return
	}
	name, kind, ref, ok := route(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	registry := r.URL.Query().Get("ns")
	if registry == "" {
		registry = s.DefaultRegistry
	}
	mediaType := ""
	digest := ref
	if kind == "manifests" && !digestRE.MatchString(ref) {
		images, err := s.Lookup.Images()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		want := fmt.Sprintf("%s/%s:%s", registry, name, ref)
		digest = ""
		for _, im := range images {
			if im.Ref == want {
				digest, mediaType = im.Digest, im.MediaType
			}
		}
		if digest == "" {
			http.Error(w, "manifest unknown: "+want, http.StatusNotFound)
			return
		}
	}
	if !digestRE.MatchString(digest) {
		http.Error(w, "bad digest", http.StatusBadRequest)
		return
	}
	f, err := s.Lookup.Blob(digest)
	if err != nil {
		http.Error(w, "unknown: "+digest, http.StatusNotFound)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if kind == "manifests" && mediaType == "" {
		mediaType = sniffMediaType(f)
	}
	if mediaType == "" {
		mediaType = "application/octet-stream"
	}
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Docker-Content-Digest", digest)
	w.Header().Set("Content-Length", fmt.Sprint(st.Size()))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	http.ServeContent(w, r, "", st.ModTime(), f)
}

// sniffMediaType reads a manifest's own mediaType field (a manifest fetched by digest).
func sniffMediaType(f *os.File) string {
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	m := regexp.MustCompile(`"mediaType"\s*:\s*"([^"]+)"`).FindSubmatch(buf[:n])
	if m == nil {
		return ""
	}
	return string(m[1])
}

// containerd reads the node's containerd: `ctr` for the images, the content store's files for blobs.
type containerd struct {
	ctr, namespace, contentDir string
}

func (c containerd) Images() ([]Image, error) {
	var out bytes.Buffer
	cmd := exec.Command(c.ctr, "-n", c.namespace, "images", "ls")
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ctr images ls: %w", err)
	}
	return parseImages(out.String()), nil
}

func (c containerd) Blob(digest string) (*os.File, error) {
	return os.Open(filepath.Join(c.contentDir, "blobs", "sha256", strings.TrimPrefix(digest, "sha256:")))
}

func main() {
	listen := flag.String("listen", "127.0.0.1:35000", "address to serve on (the node's loopback)")
	ctr := flag.String("ctr", "ctr", "containerd's ctr binary")
	ns := flag.String("namespace", "k8s.io", "containerd namespace of the kubelet's images")
	contentDir := flag.String("content-dir", "/var/lib/containerd/io.containerd.content.v1.content", "containerd's content store")
	defaultRegistry := flag.String("default-registry", "docker.io", "registry of a request without ?ns=")
	flag.Parse()
	s := &Server{Lookup: containerd{ctr: *ctr, namespace: *ns, contentDir: *contentDir}, DefaultRegistry: *defaultRegistry}
	log.Printf("kc-node-registry on %s, serving containerd namespace %s", *listen, *ns)
	log.Fatal(http.ListenAndServe(*listen, s))
}

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// Volume is what the driver remembers about one volume: a directory under the data root plus a
// small JSON record next to it. The data root is one host directory every node mounts, so a
// volume is reachable from whichever node its pod lands on (no topology needed).
type Volume struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	CapacityBytes int64  `json:"capacityBytes"`
}

// Store keeps volumes under Root: <Root>/<id>/ is the data, <Root>/<id>.json the record.
type Store struct {
	Root string
	mu   sync.Mutex
}

var validID = regexp.MustCompile(`^kc-[0-9a-f]{32}$`)

// IDFor is the volume ID of a CreateVolume name: stable, so a retried CreateVolume (the
// provisioner retries on timeouts) finds the volume it already made.
func IDFor(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "kc-" + hex.EncodeToString(sum[:16])
}

// ErrNotFound is returned for a volume ID the store has no record of.
var ErrNotFound = errors.New("volume not found")

// ErrConflict is returned when a name is reused with a different capacity request.
var ErrConflict = errors.New("volume exists with a different capacity")

func (s *Store) recordPath(id string) string { return filepath.Join(s.Root, id+".json") }

// DataPath is the directory holding the volume's files.
func (s *Store) DataPath(id string) string { return filepath.Join(s.Root, id) }

func (s *Store) read(id string) (*Volume, error) {
	if !validID.MatchString(id) {
		return nil, fmt.Errorf("%w: %q is not a volume ID of this driver", ErrNotFound, id)
	}
	b, err := os.ReadFile(s.recordPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	var v Volume
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("record of %s: %w", id, err)
	}
	return &v, nil
}

func (s *Store) write(v *Volume) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := s.recordPath(v.ID) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.recordPath(v.ID))
}

// Get returns the record of a volume.
func (s *Store) Get(id string) (*Volume, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read(id)
}

// Create makes the volume (idempotent for the same name and capacity).
func (s *Store) Create(name string, capacity int64) (*Volume, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := IDFor(name)
	if v, err := s.read(id); err == nil {
		if v.CapacityBytes != capacity {
			return nil, fmt.Errorf("%w: %s has %d bytes, asked for %d", ErrConflict, name, v.CapacityBytes, capacity)
		}
		return v, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if err := os.MkdirAll(s.DataPath(id), 0o777); err != nil {
		return nil, err
	}
	// Writable by any pod user, as the upstream hostpath driver's directories are.
	if err := os.Chmod(s.DataPath(id), 0o777); err != nil {
		return nil, err
	}
	v := &Volume{ID: id, Name: name, CapacityBytes: capacity}
	return v, s.write(v)
}

// Delete removes the volume and its data; a volume that is already gone is not an error.
func (s *Store) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.read(id); errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if err := os.RemoveAll(s.DataPath(id)); err != nil {
		return err
	}
	return os.Remove(s.recordPath(id))
}

// Expand raises the recorded capacity to at least want; it never shrinks (CSI: a smaller
// request is satisfied by the larger volume) and returns the capacity it now has.
func (s *Store) Expand(id string, want int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.read(id)
	if err != nil {
		return 0, err
	}
	if want > v.CapacityBytes {
		v.CapacityBytes = want
		if err := s.write(v); err != nil {
			return 0, err
		}
	}
	return v.CapacityBytes, nil
}

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// faults are the knobs tests turn through the control server:
//
//	GET    /faults   the current knobs
//	POST   /faults   merge the JSON body into the knobs (absent fields keep their value)
//	PUT    /faults   replace the knobs with the JSON body
//	DELETE /faults   reset every knob
//	GET    /state    the driver's volumes (with zones) and snapshots
//	GET    /healthz  "ok"
type faults struct {
	// SnapshotFail makes CreateSnapshot fail (INTERNAL) for new snapshots.
	SnapshotFail bool `json:"snapshotFail"`
	// SnapshotNeverReady leaves new and pending snapshots at ready_to_use=false.
	SnapshotNeverReady bool `json:"snapshotNeverReady"`
	// RestoreFail makes CreateVolume from a snapshot fail (INTERNAL).
	RestoreFail bool `json:"restoreFail"`
	// CreateVolumeFail makes every CreateVolume of a new volume fail (INTERNAL).
	CreateVolumeFail bool `json:"createVolumeFail"`
	// DeleteVolumeFail makes DeleteVolume fail (INTERNAL).
	DeleteVolumeFail bool `json:"deleteVolumeFail"`
	// LatencyPerGiB (a Go duration, e.g. "2s") is how long a snapshot takes to become ready and a
	// restore takes to finish, per GiB of the source volume's size.
	LatencyPerGiB string `json:"latencyPerGiB,omitempty"`
	// ZoneCapacityBytes overrides a zone's disk capacity (e.g. {"zone-b": 0}: no new disk there).
	ZoneCapacityBytes map[string]int64 `json:"zoneCapacityBytes,omitempty"`
}

func (f faults) latency(sizeBytes int64) time.Duration {
	if f.LatencyPerGiB == "" {
		return 0
	}
	per, err := time.ParseDuration(f.LatencyPerGiB)
	if err != nil {
		return 0
	}
	return time.Duration(float64(per) * float64(sizeBytes) / float64(gib))
}

func (f faults) validate() error {
	if f.LatencyPerGiB != "" {
		if _, err := time.ParseDuration(f.LatencyPerGiB); err != nil {
			return fmt.Errorf("latencyPerGiB: %w", err)
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (d *driver) controlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("/faults", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		switch r.Method {
		case http.MethodGet:
		case http.MethodDelete:
			d.faults = faults{}
		case http.MethodPost, http.MethodPut:
			next := d.faults
			if r.Method == http.MethodPut {
				next = faults{}
			}
			// Decoding into a copy merges: fields absent from the body keep their value. A
			// zoneCapacityBytes map is merged key by key; null removes the overrides.
			var body map[string]json.RawMessage
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			if raw, ok := body["zoneCapacityBytes"]; ok {
				var m map[string]int64
				if err := json.Unmarshal(raw, &m); err != nil {
					writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
					return
				}
				if m == nil {
					next.ZoneCapacityBytes = nil
				} else {
					merged := map[string]int64{}
					for k, v := range next.ZoneCapacityBytes {
						merged[k] = v
					}
					for k, v := range m {
						merged[k] = v
					}
					next.ZoneCapacityBytes = merged
				}
				delete(body, "zoneCapacityBytes")
			}
			rest, _ := json.Marshal(body)
			dec := json.NewDecoder(bytesReader(rest))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&next); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			if err := next.validate(); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			d.faults = next
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		writeJSON(w, http.StatusOK, d.faults)
	})
	mux.HandleFunc("/state", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		for _, s := range d.st.Snapshots {
			d.refresh(s)
		}
		used := map[string]int64{}
		capacity := map[string]int64{}
		for _, z := range d.cfg.Zones {
			used[z] = d.usedBytes(z)
			capacity[z] = d.capacityOf(z)
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"driver":        d.cfg.Name,
			"topologyKey":   d.cfg.TopologyKey,
			"volumes":       d.st.Volumes,
			"snapshots":     d.st.Snapshots,
			"zoneUsedBytes": used,
			"zoneCapacity":  capacity,
		})
	})
	return mux
}

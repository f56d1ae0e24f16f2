// Command go-baseline is the peer the resolver benchmark compares agentbox with: the
// go-containerregistry calls a Go tool such as crane makes to resolve a tag
// (remote.Head with remote.Reuse of one Puller, so tokens and connections are reused).
//
// It reads one JSON round per line on stdin and answers one JSON line per round on
// stdout, so the benchmark can alternate rounds with the Node side in one run:
//
//	{"refs":["127.0.0.1:5000/bench/app:tag-00", …], "count":2000, "concurrency":8}
//	→ {"resolves":2000,"seconds":1.23,"cpuMicros":456789,"digests":{"<ref>":"sha256:…"}}
//
// Each round builds a fresh transport and Puller (as the Node side builds a fresh
// resolver) and measures only the resolves, not the process start: wall time, and the
// CPU time of the whole process (user + system, all threads) from getrusage.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

type round struct {
	Refs        []string `json:"refs"`
	Count       int      `json:"count"`
	Concurrency int      `json:"concurrency"`
}

type result struct {
	Resolves  int               `json:"resolves"`
	Seconds   float64           `json:"seconds"`
	CPUMicros int64             `json:"cpuMicros"`
	Digests   map[string]string `json:"digests"`
	Error     string            `json:"error,omitempty"`
}

func cpuMicros() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Sec*1e6 + ru.Utime.Usec + ru.Stime.Sec*1e6 + ru.Stime.Usec
}

func run(r round) result {
	refs := make([]name.Reference, len(r.Refs))
	for i, s := range r.Refs {
		ref, err := name.ParseReference(s)
		if err != nil {
			return result{Error: err.Error()}
		}
		refs[i] = ref
	}
	// remote.DefaultTransport's settings, a fresh pool per round.
	transport := remote.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections()
	puller, err := remote.NewPuller(remote.WithTransport(transport))
	if err != nil {
		return result{Error: err.Error()}
	}
	digests := make([]string, len(refs))
	var mu sync.Mutex
	var next atomic.Int64
	var failure atomic.Value
	var wg sync.WaitGroup
	cpu := cpuMicros()
	start := time.Now()
	for w := 0; w < r.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= r.Count {
					return
				}
				n := i % len(refs)
				desc, err := remote.Head(refs[n], remote.Reuse(puller))
				if err != nil {
					failure.Store(err.Error())
					return
				}
				d := desc.Digest.String()
				mu.Lock()
				if digests[n] == "" {
					digests[n] = d
				} else if digests[n] != d {
					failure.Store(fmt.Sprintf("%s resolved to %s, earlier to %s", r.Refs[n], d, digests[n]))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	seconds := time.Since(start).Seconds()
	used := cpuMicros() - cpu
	out := result{Resolves: r.Count, Seconds: seconds, CPUMicros: used, Digests: map[string]string{}}
	for i, d := range digests {
		if d != "" {
			out.Digests[r.Refs[i]] = d
		}
	}
	if msg, ok := failure.Load().(string); ok {
		out.Error = msg
	}
	return out
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var r round
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			_ = enc.Encode(result{Error: "bad round: " + err.Error()})
			continue
		}
		if r.Concurrency < 1 || r.Count < 1 || len(r.Refs) == 0 {
			_ = enc.Encode(result{Error: "a round needs refs, count >= 1 and concurrency >= 1"})
			continue
		}
		_ = enc.Encode(run(r))
	}
}

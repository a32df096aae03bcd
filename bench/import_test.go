package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cognate/internal/api"
	"cognate/internal/cognatetest"
	"cognate/internal/server"
	"cognate/internal/store/postgres/pgtest"
)

// importSizes are the file sizes BenchmarkImport compares: peak memory must
// be the same for both. COGNATE_BENCH_IMPORT_USERS replaces the larger.
func importSizes() []int { return sizes("COGNATE_BENCH_IMPORT_USERS", 100_000, 1_000_000) }

// importHeader is the import file's header: Cognito's standard attributes a
// real export carries, with an email alias the pool signs users in by.
var importHeader = []string{"cognito:username", "name", "given_name", "family_name", "email", "email_verified", "phone_number"}

// BenchmarkImport imports a CSV of users through an import job, in process
// as 'cognate users import' does (ImportFile, then RunImportJob in the
// caller, on a server that is not serving, so no background runner takes
// the job), on each backend. Each pool has email as an alias, so every row
// also claims a sign-in name. Every job is timed once per b.N; metrics:
//
//	s, users/s     the whole job: create, upload, start and run
//	upload-s       ImportFile: the file read and stored in 1 MiB chunks
//	run-s          RunImportJob: parsing, validation and the inserts
//	cpu-s          this process's CPU time over the job (SQLite runs in it)
//	db-cpu-s       PostgreSQL: the CPU time of the backends serving it
//	peak-heap-MiB  the largest HeapInuse sampled during the job
//	peak-rss-MiB   the process's peak RSS (VmHWM, reset before the job)
//	start-rss-MiB  its RSS as the job starts
//
// The file is written to disk before the timer starts, a row at a time.
//
//	go test ./bench -run '^$' -bench Import -benchtime 1x -timeout 60m
func BenchmarkImport(b *testing.B) {
	files := map[int]string{}
	dir := b.TempDir()
	for _, backend := range cognatetest.Backends {
		for _, size := range importSizes() {
			b.Run(fmt.Sprintf("%s/users=%d", backend, size), func(b *testing.B) {
				path, ok := files[size]
				if !ok {
					path = filepath.Join(dir, fmt.Sprintf("users-%d.csv", size))
					if err := writeImportFile(path, size); err != nil {
						b.Fatal(err)
					}
					files[size] = path
				}
				importJob(b, backend, path, size)
			})
		}
	}
}

// writeImportFile writes n users: unique usernames, emails and phone numbers.
func writeImportFile(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	given := []string{"Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Sophia", "Elijah", "Charlotte", "James", "Mia", "Lucas", "Zoë", "José"}
	family := []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "O'Brien", "Müller", "Nguyen"}
	if err := w.Write(importHeader); err != nil {
		f.Close()
		return err
	}
	rec := make([]string, len(importHeader))
	for i := range n {
		g, fam := given[i%len(given)], family[i/len(given)%len(family)]
		id := strconv.Itoa(i)
		rec[0] = strings.ToLower(g) + "." + id
		rec[1] = g + " " + fam
		rec[2], rec[3] = g, fam
		rec[4] = strings.ToLower(g) + "." + id + "@example.com"
		rec[5] = "true"
		rec[6] = fmt.Sprintf("+1555%07d", i)
		if err := w.Write(rec); err != nil {
			f.Close()
			return err
		}
	}
	w.Flush()
	if err := errors.Join(w.Error(), bw.Flush()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// importApp names the benchmark's PostgreSQL connections, so that their
// backends' CPU time can be found.
const importApp = "cognate-bench-import"

// importJob imports the file b.N times, each into a new pool of one server.
func importJob(b *testing.B, backend cognatetest.Backend, path string, size int) {
	cfg := server.Config{
		DataDir:    filepath.Join(b.TempDir(), "data"),
		Region:     cognatetest.Region,
		AccountID:  "123456789012",
		AccessKeys: cognatetest.AccessKeyID + ":" + cognatetest.SecretAccessKey,
		PublicURL:  "http://127.0.0.1:9229",
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	var backends *meter
	if backend == cognatetest.Postgres {
		cfg.DatabaseURL = pgtest.URL(b) + "&application_name=" + importApp
		backends = newMeter(b, cfg.DatabaseURL, importApp)
	}
	ctx := context.Background()
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	svc := srv.Service

	var upload, run, cpu, dbCPU time.Duration
	var heap, rss, baseRSS uint64
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		out, err := svc.CreateUserPool(ctx, &api.CreateUserPoolInput{PoolName: new(fmt.Sprintf("import-%d", i)),
			AliasAttributes: []api.AliasAttributeType{api.AliasAttributeTypeEmail}})
		if err != nil {
			b.Fatal(err)
		}
		poolID := *out.UserPool.Id
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		// What earlier jobs left goes back to the system, so that the peak
		// is this job's.
		debug.FreeOSMemory()
		baseRSS = max(baseRSS, procStatus("VmRSS"))
		m := startMemSampler()
		var db0 reading
		if backends != nil {
			db0 = backends.read()
		}
		cpu0 := processCPU()
		b.StartTimer()

		start := time.Now()
		jobID, err := svc.ImportFile(ctx, poolID, filepath.Base(path), f)
		if err != nil {
			b.Fatal(err)
		}
		uploaded := time.Now()
		if err := svc.RunImportJob(ctx, poolID, jobID, "bench", nil); err != nil {
			b.Fatal(err)
		}
		done := time.Now()

		b.StopTimer()
		cpu += processCPU() - cpu0
		if backends != nil {
			for pid, t := range backends.read().db {
				dbCPU += t - db0.db[pid]
			}
		}
		h, r := m.stop()
		heap, rss = max(heap, h), max(rss, r)
		f.Close()
		upload += uploaded.Sub(start)
		run += done.Sub(uploaded)
		j, err := srv.Store().GetImportJob(ctx, poolID, jobID)
		if err != nil {
			b.Fatal(err)
		}
		if j.Status != "Succeeded" || j.Imported != int64(size) {
			b.Fatalf("job %s: %s, %d imported, %d skipped, %d failed (%s); want %d imported",
				jobID, j.Status, j.Imported, j.Skipped, j.Failed, j.Message, size)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	total := (upload + run).Seconds() / n
	b.ReportMetric(total, "s")
	b.ReportMetric(float64(size)/total, "users/s")
	b.ReportMetric(upload.Seconds()/n, "upload-s")
	b.ReportMetric(run.Seconds()/n, "run-s")
	b.ReportMetric(cpu.Seconds()/n, "cpu-s")
	if backends != nil {
		b.ReportMetric(dbCPU.Seconds()/n, "db-cpu-s")
	}
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
	b.ReportMetric(float64(baseRSS)/(1<<20), "start-rss-MiB")
}

// memSampler records the peak heap in use and RSS while a job runs.
type memSampler struct {
	done     chan struct{}
	wg       sync.WaitGroup
	heap     uint64
	rss      uint64
	resetHWM bool
}

// startMemSampler resets the process's peak RSS, where Linux lets it
// (clear_refs 5), and samples the heap every 20 ms; RSS too where the peak
// cannot be reset.
func startMemSampler() *memSampler {
	m := &memSampler{done: make(chan struct{})}
	m.resetHWM = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	m.wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			m.heap = max(m.heap, ms.HeapInuse)
			if !m.resetHWM {
				m.rss = max(m.rss, procStatus("VmRSS"))
			}
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	})
	return m
}

// stop ends the sampling and returns the peak heap in use and peak RSS.
func (m *memSampler) stop() (heap, rss uint64) {
	close(m.done)
	m.wg.Wait()
	if m.resetHWM {
		m.rss = procStatus("VmHWM")
	}
	return m.heap, m.rss
}

// procStatus is a size field of /proc/self/status, in bytes (0 if absent).
func procStatus(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

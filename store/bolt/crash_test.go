package bolt_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envWriteFile makes the test binary, run as a child, write to the store in
// that file until it is killed (see writeUntilKilled).
const (
	envWriteFile  = "ROTOR_BOLT_TEST_WRITE_FILE"
	envWriteStart = "ROTOR_BOLT_TEST_WRITE_START"
)

// putsPerSecret keeps each secret well under rotor.MaxVersions.
const putsPerSecret = 40

// crashSecret and crashToken name the n-th write: PutSecretValue of token n
// on secret n/putsPerSecret (the first write of a secret creates it).
func crashSecret(n int) string { return fmt.Sprintf("crash/%04d", n/putsPerSecret) }
func crashToken(n int) string  { return fmt.Sprintf("c0ffee00-0000-4000-8000-%012d", n) }

// writeUntilKilled opens the store and writes, from write number
// $ROTOR_BOLT_TEST_WRITE_START on, printing "ack N" once write N returned.
func writeUntilKilled(path string) int {
	start, err := strconv.Atoi(os.Getenv(envWriteStart))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	st, err := bolt.Open(path, bolt.WithLockTimeout(10*time.Second))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	svc := rotor.New(st)
	ctx := context.Background()
	for n := start; ; n++ {
		if n%putsPerSecret == 0 {
			_, err = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: crashSecret(n), ClientRequestToken: crashToken(n), SecretString: strconv.Itoa(n)})
		} else {
			_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: crashSecret(n), ClientRequestToken: crashToken(n), SecretString: strconv.Itoa(n)})
		}
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		// os.Stdout is not buffered: the line is out when Println returns.
		fmt.Println("ack", n)
	}
}

// TestAcknowledgedWritesSurviveSIGKILL runs a writer in a child process,
// kills it with SIGKILL at random moments, and checks after each kill that
// every write it acknowledged is in the file and that the labels are sound.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes for seconds")
	}
	path := filepath.Join(t.TempDir(), "rotor.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	acked := -1 // the last acknowledged write
	const kills = 50
	for kill := 0; kill < kills; kill++ {
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), envWriteFile+"="+path, envWriteStart+"="+strconv.Itoa(acked+1))
		stdout, err := child.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, child.Start())

		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		deadline := time.After(time.Duration(20+rng.IntN(80)) * time.Millisecond)
	read:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					break read
				}
				n, err := strconv.Atoi(strings.TrimPrefix(line, "ack "))
				require.NoError(t, err, "the writer said %q", line)
				require.Equal(t, acked+1, n, "writes are acknowledged in order")
				acked = n
			case <-deadline:
				require.NoError(t, child.Process.Signal(syscall.SIGKILL))
				break read
			}
		}
		for line := range lines {
			n, err := strconv.Atoi(strings.TrimPrefix(line, "ack "))
			require.NoError(t, err, "the writer said %q", line)
			acked = n
		}
		_ = child.Wait()
		checkCrashFile(t, path, acked)
	}
	t.Logf("%d kills, %d acknowledged writes", kills, acked+1)
}

// checkCrashFile opens the file and checks every write up to acked, and the
// labels of every secret.
func checkCrashFile(t *testing.T, path string, acked int) {
	t.Helper()
	st, err := bolt.Open(path)
	require.NoError(t, err, "the file opens after a SIGKILL")
	defer st.Close()
	ctx := context.Background()
	for n := 0; n <= acked; n++ {
		s, _, err := st.Load(ctx, "us-east-1", crashSecret(n))
		require.NoError(t, err, "write %d was acknowledged", n)
		v := s.Version(crashToken(n))
		require.NotNil(t, v, "write %d was acknowledged, its version must be there", n)
		assert.Equal(t, strconv.Itoa(n), v.Value.Text())
	}
	all, err := st.List(ctx, "us-east-1", rotor.Cursor{}, 1<<20)
	require.NoError(t, err)
	for _, s := range all {
		ids := make(map[string]bool)
		for _, v := range s.Versions {
			assert.False(t, ids[v.ID], "%s: version %s is there twice: a retried write made a second version", s.Name, v.ID)
			ids[v.ID] = true
		}
		seen := make(map[string]bool)
		for _, stage := range s.Stages {
			assert.False(t, seen[stage.Label], "%s: label %s is on two versions", s.Name, stage.Label)
			seen[stage.Label] = true
			assert.NotNil(t, s.Version(stage.VersionID), "%s: label %s is on a missing version", s.Name, stage.Label)
		}
		current, ok := s.StageVersion(rotor.StageCurrent)
		require.True(t, ok, "%s has no AWSCURRENT", s.Name)
		// The newest write of the secret is current: the acknowledged one,
		// or one the child made before it was killed, before it could say so.
		newest := s.Versions[len(s.Versions)-1].ID
		assert.Equal(t, newest, current, "%s: AWSCURRENT is on the newest version", s.Name)
	}
}

package bolt_test

import (
	"bufio"
	"context"
	"errors"
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
	// envWriteSkew moves the writer's clock ahead, so that each child runs
	// after the rotation leases of the children killed before it expired,
	// as a server restarted later would.
	envWriteSkew = "ROTOR_BOLT_TEST_WRITE_SKEW"
)

// putsPerSecret keeps each secret well under rotor.MaxVersions.
const putsPerSecret = 40

// crashSecret and crashToken name the n-th write: PutSecretValue of token n
// on secret n/putsPerSecret (the first write of a secret creates it), or a
// rotation with token n when isRotation(n).
func crashSecret(n int) string { return fmt.Sprintf("crash/%04d", n/putsPerSecret) }
func crashToken(n int) string  { return fmt.Sprintf("c0ffee00-0000-4000-8000-%012d", n) }
func isRotation(n int) bool    { return n%10 == 5 }

const crashLambdaARN = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

// writeUntilKilled opens the store and writes, from write number
// $ROTOR_BOLT_TEST_WRITE_START on, printing "ack N" once write N returned.
// Every tenth write is a whole rotation, run inside RotateSecret by the
// template rotator, that a kill may interrupt between any two saves.
func writeUntilKilled(path string) int {
	start, err := strconv.Atoi(os.Getenv(envWriteStart))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	skew, err := time.ParseDuration(os.Getenv(envWriteSkew))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	clock := func() time.Time { return time.Now().Add(skew) }
	st, err := bolt.Open(path, bolt.WithLockTimeout(10*time.Second))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(st, rotor.WithInvoker(functions), rotor.WithClock(clock))
	functions.Register(crashLambdaARN, &rotor.TemplateRotator{API: svc})
	ctx := context.Background()
	for n := start; ; n++ {
		switch {
		case isRotation(n):
			err = rotateResuming(ctx, svc, st, crashSecret(n), crashToken(n))
		case n%putsPerSecret == 0:
			_, err = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: crashSecret(n), ClientRequestToken: crashToken(n), SecretString: strconv.Itoa(n)})
		default:
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

// rotateResuming rotates the secret with token; a rotation that an earlier
// kill left pending is first finished with its own token, as a client
// retrying it would.
func rotateResuming(ctx context.Context, svc *rotor.Service, st rotor.Store, name, token string) error {
	for attempt := 0; ; attempt++ {
		_, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: name, ClientRequestToken: token, RotationLambdaARN: crashLambdaARN})
		if err == nil || !errors.Is(err, rotor.ErrInvalidRequest) {
			return err
		}
		s, _, loadErr := st.Load(ctx, "us-east-1", name)
		if loadErr != nil {
			return loadErr
		}
		pending, ok := s.StageVersion(rotor.StagePending)
		if !ok || pending == token || attempt == 3 {
			return err
		}
		if _, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: name, ClientRequestToken: pending, RotationLambdaARN: crashLambdaARN}); err != nil {
			return fmt.Errorf("finishing the rotation a kill left pending: %w", err)
		}
	}
}

// TestAcknowledgedWritesSurviveSIGKILL runs a writer (PutSecretValue, and
// RotateSecret through the template rotator) in a child process, kills it
// with SIGKILL at random moments, 50 times, and checks after each kill that
// every write it acknowledged is in the file, that no retried token made a
// second version and that the labels are sound.
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
		skew := time.Duration(2*kill) * rotor.RotationLease
		child.Env = append(os.Environ(), envWriteFile+"="+path, envWriteStart+"="+strconv.Itoa(acked+1), envWriteSkew+"="+skew.String())
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
		if isRotation(n) {
			// An acknowledged rotation is finished, or still pending with its
			// state saved for a retry or an engine to resume: never lost.
			current, _ := s.StageVersion(rotor.StageCurrent)
			if pending, _ := s.StageVersion(rotor.StagePending); pending == v.ID && current != v.ID {
				if assert.NotNil(t, s.Rotation, "rotation %d is pending without its state", n) {
					assert.Equal(t, v.ID, s.Rotation.Token, "rotation %d is pending under another token", n)
				}
			} else {
				assert.NotEmpty(t, v.Value.Text(), "rotation %d was acknowledged and is done: its version has its value", n)
			}
		} else {
			assert.Equal(t, strconv.Itoa(n), v.Value.Text())
		}
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
		assert.False(t, s.Version(current).Value.IsZero(), "%s: AWSCURRENT has a value", s.Name)
		if pending, ok := s.StageVersion(rotor.StagePending); ok && pending != current {
			// A rotation a kill interrupted: its state is saved with it, so
			// that a retry or an engine resumes it. (AWSPENDING on the
			// AWSCURRENT version is a rotation done but for its clean-up.)
			if assert.NotNil(t, s.Rotation, "%s: AWSPENDING without a rotation state", s.Name) {
				assert.Equal(t, pending, s.Rotation.Token, "%s: AWSPENDING is not on the rotation's version", s.Name)
			}
		}
	}
}

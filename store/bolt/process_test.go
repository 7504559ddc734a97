package bolt_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/rotorkit/rotor/store/bolt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envHoldFile makes the test binary, run as a child, open the store in that
// file, print "open" and hold it until its standard input closes.
const envHoldFile = "ROTOR_BOLT_TEST_HOLD_FILE"

func TestMain(m *testing.M) {
	if path := os.Getenv(envHoldFile); path != "" {
		os.Exit(holdFile(path))
	}
	if path := os.Getenv(envWriteFile); path != "" {
		os.Exit(writeUntilKilled(path))
	}
	os.Exit(m.Run())
}

func holdFile(path string) int {
	st, err := bolt.Open(path)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	defer st.Close()
	fmt.Println("open")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

func TestASecondProcessGetsErrLockedFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotor.db")
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), envHoldFile+"="+path)
	stdin, err := child.StdinPipe()
	require.NoError(t, err)
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	defer func() {
		_ = stdin.Close()
		_ = child.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "open\n", line, "the child process could not open the store")

	start := time.Now()
	st, err := bolt.Open(path, bolt.WithLockTimeout(200*time.Millisecond))
	if st != nil {
		_ = st.Close()
	}
	require.ErrorIs(t, err, bolt.ErrLocked)
	assert.Less(t, time.Since(start), 5*time.Second, "Open gave up instead of hanging")

	require.NoError(t, stdin.Close())
	require.NoError(t, child.Wait())
	st, err = bolt.Open(path)
	require.NoError(t, err, "the file opens once the other process exited")
	require.NoError(t, st.Close())
}

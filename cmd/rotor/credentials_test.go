package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeRefusesACredentialsFileOthersMayRead(t *testing.T) {
	t.Setenv("ROTOR_ACCESS_KEY_ID", "")
	t.Setenv("ROTOR_SECRET_ACCESS_KEY", "")
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		file := filepath.Join(t.TempDir(), "creds")
		require.NoError(t, os.WriteFile(file, []byte("AKID1 secret-of-the-file\n"), 0o600))
		require.NoError(t, os.Chmod(file, mode))
		// A server that wrongly starts stops when the context ends.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := serve(ctx, []string{"--addr", "127.0.0.1:0", "--store", "memory", "--credentials", file}, io.Discard)
		cancel()
		require.Error(t, err, "mode %#o", mode)
		assert.Contains(t, err.Error(), "--credentials: "+file+" has mode ")
		assert.Contains(t, err.Error(), "others may read it; make it 0600")
		assert.NotContains(t, err.Error(), "secret-of-the-file")
	}
}

func TestACredentialsFileOfMode0600Or0400IsRead(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o400} {
		file := filepath.Join(t.TempDir(), "creds")
		require.NoError(t, os.WriteFile(file, []byte("AKID1 secret1\n"), 0o600))
		require.NoError(t, os.Chmod(file, mode))
		creds, _, err := loadCredentials(file, "000000000000", func(string) string { return "" })
		require.NoError(t, err, "mode %#o", mode)
		assert.Equal(t, map[string]string{"AKID1": "secret1"}, creds)
	}
}

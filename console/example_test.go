package console_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/console"
)

// Mounting the console next to the API in a server of one's own: the
// console calls the API handler in-process, and its history hears every
// Region's service from the start.
func Example() {
	store := rotor.NewMemoryStore()
	history := console.NewHistory(0, 0)
	api := awsapi.NewHandler(awsapi.Config{
		Store:  store,
		Logger: slog.New(slog.DiscardHandler),
		NewService: func(opts ...rotor.Option) *rotor.Service {
			svc := rotor.New(store, opts...)
			svc.Subscribe(history.Record)
			return svc
		},
	})
	con := console.New(console.Config{API: api, History: history})
	mux := http.NewServeMux()
	mux.Handle("/console/", con)
	mux.Handle("/", api)
	srv := httptest.NewServer(mux) // on loopback: an open console answers
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/console/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output: 200 text/html; charset=utf-8
}

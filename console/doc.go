// Package console is rotor's web console: server-rendered pages that show a
// Region's secrets, one secret's versions as a timeline of where its staging
// labels sat after each change, its rotation (configuration, the next
// windows of its schedule, each rotation's steps with their outcome,
// attempts and the function's error), and forms that rotate, cancel a
// rotation, put a value, move a label, delete and restore.
//
// The console holds no rule and no authority of its own. Everything it
// shows and does is a call to the Secrets Manager API (Config.API, an
// awsapi.Handler), made in-process as the signed-in principal: signed with
// the principal's keys, then verified, authorized, validated and recorded
// by the API exactly as a call from an SDK would be, with the API's message
// shown beside the form that asked. A value appears in a page only when the
// user asks for one version's value, and that read is an ordinary
// GetSecretValue.
//
// What the API does not keep, the console learns from the service's events
// (History, subscribed to each Region's service): where every label sat
// after each change, and each rotation step. That history is in memory and
// bounded, and starts when the process starts.
//
// With credentials configured (Config.Signed) the console asks for an
// access key id and secret access key and keeps them server-side in a
// session whose cookie is a random id (HttpOnly, SameSite=Strict, Secure
// under TLS). Without, it is open and answers only loopback requests. Every
// form is a POST carrying the session's CSRF token. Pages need no
// JavaScript and load nothing from the network: the templates and the style
// sheet are embedded.
package console

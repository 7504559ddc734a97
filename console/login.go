package console

import (
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

type loginPage struct {
	base
	KeyID, Error string
}

// login asks for an access key id and secret access key, checks that the
// API accepts a signature made with them, and keeps them in a new session.
func (c *Console) login(w http.ResponseWriter, r *http.Request, s *session) {
	if !c.cfg.Signed {
		http.Redirect(w, r, c.cfg.Prefix, http.StatusSeeOther)
		return
	}
	if s == nil {
		s = c.sessions.start(w, r, nil, "", "", "")
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		c.render(w, http.StatusOK, "login", loginPage{base: c.base(r, s, "Sign in")})
		return
	case http.MethodPost:
	default:
		methodNotAllowed(w, "GET, POST")
		return
	}
	keyID := strings.TrimSpace(r.PostFormValue("access_key_id"))
	secret := r.PostFormValue("secret_access_key")
	page := loginPage{base: c.base(r, s, "Sign in"), KeyID: keyID}
	if !validCSRF(s, r.PostFormValue("csrf")) {
		page.Error = "The form's token is missing or stale: reload the page and try again."
		c.render(w, http.StatusForbidden, "login", page)
		return
	}
	if keyID == "" || secret == "" {
		page.Error = "Give both the access key id and the secret access key."
		c.render(w, http.StatusBadRequest, "login", page)
		return
	}
	// A signature the API accepts proves the keys; a principal that may not
	// list secrets still signs in, and is refused what it may not do.
	probe := &session{accessKeyID: keyID, secretAccessKey: secret}
	_, err := c.client(r, probe, c.cfg.Region).ListSecrets(r.Context(), &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(1)})
	switch apiCode(err) {
	case "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException", "MissingAuthenticationTokenException":
		page.Error = "These keys are not accepted: " + apiMessage(err)
		c.render(w, http.StatusUnauthorized, "login", page)
		return
	}
	principal := ""
	if c.cfg.Principal != nil {
		principal, _ = c.cfg.Principal(keyID)
	}
	c.sessions.start(w, r, s, keyID, secret, principal)
	http.Redirect(w, r, c.cfg.Prefix, http.StatusSeeOther)
}

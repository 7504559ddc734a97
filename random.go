package rotor

import "context"

// GetRandomPassword generates a password from the service's random source
// (crypto/rand unless WithRandom says otherwise), choosing every character
// uniformly and placing one of each required type at a random position.
func (s *Service) GetRandomPassword(_ context.Context, in GetRandomPasswordInput) (GetRandomPasswordOutput, error) {
	pw, err := generatePassword(s.random, in)
	if err != nil {
		return GetRandomPasswordOutput{}, err
	}
	return GetRandomPasswordOutput{RandomPassword: pw}, nil
}

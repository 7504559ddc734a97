module github.com/rotorkit/rotor

go 1.23

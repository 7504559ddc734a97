// Package cli is the command line of rotor, with the aws CLI's names, flags,
// input syntax and output for every Secrets Manager operation.
package cli

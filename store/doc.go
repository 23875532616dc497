// Package store keeps everything durable in one SQLite file: accounts,
// sessions, API tokens and question sets. It implements the domain services
// and is the only package that speaks SQL.
package store

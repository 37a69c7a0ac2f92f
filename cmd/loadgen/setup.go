package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// setUp signs up o.users accounts with five profiles each and finds movies
// to play, and pairs every profile with a movie of its own.
func setUp(ctx context.Context, client *http.Client, o options) ([]target, error) {
	var movies struct {
		Items []struct{ ID string } `json:"items"`
	}
	var targets []target
	for u := range o.users {
		email := fmt.Sprintf("load-%s@marquee.test", rand.Text()[:12])
		password := rand.Text()
		if err := call(ctx, client, http.MethodPost, o.url+"/v1/auth/register", "",
			map[string]string{"email": email, "password": password, "display_name": "Load"}, http.StatusCreated, nil); err != nil {
			return nil, err
		}
		var tokens struct {
			AccessToken string `json:"access_token"`
		}
		if err := call(ctx, client, http.MethodPost, o.url+"/v1/auth/login", "",
			map[string]string{"email": email, "password": password}, http.StatusOK, &tokens); err != nil {
			return nil, err
		}
		if u == 0 {
			if err := call(ctx, client, http.MethodGet, o.url+"/v1/catalog/titles?kind=movie&limit=100", tokens.AccessToken, nil, http.StatusOK, &movies); err != nil {
				return nil, err
			}
			if len(movies.Items) == 0 {
				return nil, fmt.Errorf("the catalog has no movies: run marquee seed")
			}
		}
		for range 4 {
			if err := call(ctx, client, http.MethodPost, o.url+"/v1/profiles", tokens.AccessToken,
				map[string]any{"name": "Load"}, http.StatusCreated, nil); err != nil {
				return nil, err
			}
		}
		var profiles struct {
			Items []struct{ ID string } `json:"items"`
		}
		if err := call(ctx, client, http.MethodGet, o.url+"/v1/profiles", tokens.AccessToken, nil, http.StatusOK, &profiles); err != nil {
			return nil, err
		}
		for _, p := range profiles.Items {
			movie := movies.Items[len(targets)%len(movies.Items)]
			targets = append(targets, target{token: tokens.AccessToken, profile: p.ID, title: movie.ID})
		}
	}
	return targets, nil
}

// call sends one JSON request and decodes the answer, which must have status want.
func call(ctx context.Context, client *http.Client, method, url, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/require"

	"github.com/drift-schema/drift/internal/alert"
	"github.com/drift-schema/drift/internal/diff"
	"github.com/drift-schema/drift/internal/slack/testserver"
)

// waits records the backoff waits instead of sleeping through them.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(_ context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.d = append(w.d, d)
	return nil
}

func (w *waits) get() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

func testMessage() Message {
	a := sample(1, "column", "public.users.email", diff.Changed, diff.Critical, "type: text", "type: varchar(10)", "")
	return Drift("app", []alert.Alert{a}, Open{Critical: 1}, Options{})
}

type sender interface {
	Post(ctx context.Context, msg Message, thread Ref) (Ref, error)
}

func senders(t *testing.T, srv *testserver.Server, w *waits, logger *slog.Logger) map[string]sender {
	opts := SenderOptions{Retry: RetryOptions{Sleep: w.sleep}, Logger: logger, APIURL: srv.APIURL()}
	return map[string]sender{
		"webhook": NewWebhook(srv.WebhookURL(), opts),
		"bot":     NewBot(testserver.Token, "#db-drift", opts),
	}
}

func TestPostDelivers(t *testing.T) {
	for _, name := range []string{"webhook", "bot"} {
		t.Run(name, func(t *testing.T) {
			srv := testserver.New(t)
			s := senders(t, srv, &waits{}, nil)[name]
			ref, err := s.Post(context.Background(), testMessage(), Ref{})
			require.NoError(t, err)
			msgs := srv.Messages()
			require.Len(t, msgs, 1)
			require.Equal(t, testMessage().Text, msgs[0].Text)
			var blocks goslack.Blocks
			require.NoError(t, json.Unmarshal(msgs[0].Blocks, &blocks))
			require.Len(t, blocks.BlockSet, len(testMessage().Blocks))
			if name == "bot" {
				require.Equal(t, Ref{Channel: testserver.ChannelID, TS: msgs[0].TS}, ref)
			} else {
				require.True(t, ref.IsZero(), "webhooks return no message reference")
			}
		})
	}
}

func TestBotUpdatesAndRepliesInThread(t *testing.T) {
	srv := testserver.New(t)
	bot := NewBot(testserver.Token, "#db-drift", SenderOptions{APIURL: srv.APIURL()})
	require.True(t, bot.CanUpdate())
	ctx := context.Background()
	ref, err := bot.Post(ctx, testMessage(), Ref{})
	require.NoError(t, err)
	reply, err := bot.Post(ctx, Resolved("app", nil, Open{}, Options{}), ref)
	require.NoError(t, err)
	require.NotEqual(t, ref.TS, reply.TS)
	require.NoError(t, bot.Update(ctx, ref, Announced("app", nil, Open{}, Options{})))
	msgs := srv.Messages()
	require.Len(t, msgs, 3)
	require.Equal(t, ref.TS, msgs[1].ThreadTS, "the resolution is a reply in the original's thread")
	require.Equal(t, "chat.update", msgs[2].Method)
	require.Equal(t, ref.TS, msgs[2].TS, "the original message is edited in place")

	err = bot.Update(ctx, Ref{Channel: testserver.ChannelID, TS: "1.2"}, testMessage())
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, "message_not_found", se.Code)
	require.False(t, se.Retryable)

	require.ErrorIs(t, NewWebhook(srv.WebhookURL(), SenderOptions{}).Update(ctx, ref, testMessage()), ErrUnsupported)
}

func TestOutageThenDeliveredOnce(t *testing.T) {
	for _, name := range []string{"webhook", "bot"} {
		t.Run(name, func(t *testing.T) {
			srv := testserver.New(t)
			w := &waits{}
			s := senders(t, srv, w, nil)[name]
			srv.FailNext(testserver.Response{Status: 500}, testserver.Response{Status: 429, RetryAfter: 3})
			_, err := s.Post(context.Background(), testMessage(), Ref{})
			require.NoError(t, err)
			require.Equal(t, 3, srv.Requests(), "500, then 429, then 200")
			require.Len(t, srv.Messages(), 1, "delivered once")
			ws := w.get()
			require.Len(t, ws, 2)
			require.GreaterOrEqual(t, ws[0], time.Second, "backoff after the 500")
			require.Less(t, ws[0], 2*time.Second)
			require.Equal(t, 3*time.Second, ws[1], "Retry-After is honoured")
		})
	}
}

func TestSlackErrorCodes(t *testing.T) {
	srv := testserver.New(t)
	w := &waits{}
	bot := senders(t, srv, w, nil)["bot"]
	srv.FailNext(testserver.Response{SlackError: "ratelimited"})
	_, err := bot.Post(context.Background(), testMessage(), Ref{})
	require.NoError(t, err, "ratelimited in the body is retried")
	require.Len(t, srv.Messages(), 1)

	srv.FailNext(testserver.Response{SlackError: "channel_not_found"})
	_, err = bot.Post(context.Background(), testMessage(), Ref{})
	var se *Error
	require.ErrorAs(t, err, &se)
	require.False(t, se.Retryable)
	require.False(t, IsRetryable(err))
	require.Equal(t, "channel_not_found", se.Code)
	require.Equal(t, "slack chat.postMessage: error channel_not_found", err.Error())
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	srv := testserver.New(t)
	w := &waits{}
	hook := NewWebhook(srv.WebhookURL(), SenderOptions{Retry: RetryOptions{MaxAttempts: 3, Sleep: w.sleep}})
	srv.FailNext(testserver.Response{Status: 502}, testserver.Response{Status: 503}, testserver.Response{Status: 504}, testserver.Response{Status: 500})
	_, err := hook.Post(context.Background(), testMessage(), Ref{})
	require.True(t, IsRetryable(err), "still retryable: the next tick tries again")
	require.Equal(t, 3, srv.Requests())
	require.Empty(t, srv.Messages())
	require.Len(t, w.get(), 2)
}

func TestLongRetryAfterIsLeftToTheNextTick(t *testing.T) {
	srv := testserver.New(t)
	w := &waits{}
	hook := NewWebhook(srv.WebhookURL(), SenderOptions{Retry: RetryOptions{Sleep: w.sleep, MaxDelay: 10 * time.Second}})
	srv.FailNext(testserver.Response{Status: 429, RetryAfter: 120})
	_, err := hook.Post(context.Background(), testMessage(), Ref{})
	var se *Error
	require.ErrorAs(t, err, &se)
	require.True(t, se.Retryable)
	require.Equal(t, 120*time.Second, se.RetryAfter)
	require.Equal(t, 1, srv.Requests())
	require.Empty(t, w.get(), "no two-minute sleep inside a tick")
}

func TestPermanentErrorsAreNotRetried(t *testing.T) {
	srv := testserver.New(t)
	w := &waits{}
	ctx := context.Background()
	badBot := NewBot("xoxb-wrong-token-value", "#db-drift", SenderOptions{APIURL: srv.APIURL(), Retry: RetryOptions{Sleep: w.sleep}})
	_, err := badBot.Post(ctx, testMessage(), Ref{})
	require.ErrorContains(t, err, "invalid_auth")
	require.False(t, IsRetryable(err))

	badHook := NewWebhook(strings.Replace(srv.WebhookURL(), "Sekr3t", "Wrong", 1), SenderOptions{Retry: RetryOptions{Sleep: w.sleep}})
	_, err = badHook.Post(ctx, testMessage(), Ref{})
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, 404, se.Status)
	require.False(t, se.Retryable)
	require.Equal(t, 2, srv.Requests())
	require.Empty(t, w.get())
}

func TestServerEnforcesSlackLimits(t *testing.T) {
	// The other tests pass only if the builder's messages get through this guard.
	srv := testserver.New(t)
	msg := testMessage()
	for len(msg.Blocks) <= MaxBlocks {
		msg.Blocks = append(msg.Blocks, msg.Blocks[1])
	}
	_, err := NewWebhook(srv.WebhookURL(), SenderOptions{}).Post(context.Background(), msg, Ref{})
	require.Error(t, err)
	long := Message{Text: "x", Blocks: []goslack.Block{goslack.NewSectionBlock(goslack.NewTextBlockObject("mrkdwn", strings.Repeat("é", 3001), false, false), nil, nil)}}
	_, err = NewBot(testserver.Token, "#c", SenderOptions{APIURL: srv.APIURL()}).Post(context.Background(), long, Ref{})
	require.ErrorContains(t, err, "invalid_blocks")
	require.Empty(t, srv.Messages())
}

func TestNoSecretInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := &waits{}
	ctx := context.Background()

	// A server that is gone: network errors, whose text (from net/http) starts with the URL.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	const hookSecret = "/services/T0/B0/Xq9SecretWebhookPart"
	opts := SenderOptions{Logger: logger, Retry: RetryOptions{Sleep: w.sleep, MaxAttempts: 2}, APIURL: dead.URL + "/api/"}
	_, err := NewWebhook(dead.URL+hookSecret, opts).Post(ctx, testMessage(), Ref{})
	require.Error(t, err)
	require.True(t, IsRetryable(err), "network errors are retryable")
	_, botErr := NewBot("xoxb-1111-SecretBotTokenValue", "#c", opts).Post(ctx, testMessage(), Ref{})
	require.Error(t, botErr)

	// A live server answering with errors.
	srv := testserver.New(t)
	srv.FailNext(testserver.Response{Status: 500}, testserver.Response{Status: 500})
	_, err2 := NewWebhook(srv.WebhookURL(), opts).Post(ctx, testMessage(), Ref{})
	require.Error(t, err2)
	_, err3 := NewBot("xoxb-1111-SecretBotTokenValue", "#c", SenderOptions{Logger: logger, APIURL: srv.APIURL()}).Post(ctx, testMessage(), Ref{})
	require.Error(t, err3)

	everything := strings.Join([]string{err.Error(), botErr.Error(), err2.Error(), err3.Error(), logs.String()}, "\n")
	require.Contains(t, logs.String(), "retrying", "the retries were logged")
	for _, secret := range []string{"Xq9SecretWebhookPart", "SecretBotTokenValue", "Sekr3tWebhookPath", "Sekr3tBotToken", "/services/T"} {
		require.NotContains(t, everything, secret)
	}
	require.NotContains(t, everything, hookSecret)
	var se *Error
	require.True(t, errors.As(err, &se))
	require.Nil(t, errors.Unwrap(err), "slack-go's error, which may hold the URL, is not wrapped")
}

func TestLogNotifier(t *testing.T) {
	var logs, out bytes.Buffer
	n := NewLogNotifier(slog.New(slog.NewTextHandler(&logs, nil)), &out)
	require.False(t, n.CanUpdate())
	ref, err := n.Post(context.Background(), testMessage(), Ref{})
	require.NoError(t, err)
	require.True(t, ref.IsZero())
	require.Contains(t, logs.String(), "Critical drift on app: 1 critical open")
	var back struct {
		Text   string          `json:"text"`
		Blocks json.RawMessage `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &back))
	require.Equal(t, testMessage().Text, back.Text)
	var blocks goslack.Blocks
	require.NoError(t, json.Unmarshal(back.Blocks, &blocks))
	require.Len(t, blocks.BlockSet, len(testMessage().Blocks))
}

func TestBotSendsTheIdempotencyKeyAsMetadata(t *testing.T) {
	srv := testserver.New(t)
	bot := NewBot(testserver.Token, "#db-drift", SenderOptions{APIURL: srv.APIURL()})
	msg := testMessage()
	msg.Key = "drift-key-1"
	ref, err := bot.Post(context.Background(), msg, Ref{})
	require.NoError(t, err)
	require.NoError(t, bot.Update(context.Background(), ref, msg))
	_, err = NewWebhook(srv.WebhookURL(), SenderOptions{}).Post(context.Background(), msg, Ref{})
	require.NoError(t, err, "a webhook has no field for the key and posts without it")
	msgs := srv.Messages()
	require.Len(t, msgs, 3)
	for _, m := range msgs[:2] {
		require.JSONEq(t, `{"event_type":"drift_notification","event_payload":{"idempotency_key":"drift-key-1"}}`, string(m.Metadata), m.Method)
	}
	require.Empty(t, msgs[2].Metadata)
}

// TestUnansweredIsNotRepeatedWithinACall: a request Slack received but never answered may have
// been posted; repeating it at once could post it twice, so the call gives up after one.
func TestUnansweredIsNotRepeatedWithinACall(t *testing.T) {
	srv := testserver.New(t)
	srv.Hang(true)
	w := &waits{}
	client := &http.Client{Timeout: 200 * time.Millisecond}
	opts := SenderOptions{HTTPClient: client, APIURL: srv.APIURL(), Retry: RetryOptions{Sleep: w.sleep}}
	for name, s := range map[string]sender{"webhook": NewWebhook(srv.WebhookURL(), opts), "bot": NewBot(testserver.Token, "#c", opts)} {
		before := srv.Requests()
		_, err := s.Post(context.Background(), testMessage(), Ref{})
		var se *Error
		require.ErrorAs(t, err, &se, name)
		require.True(t, se.Unanswered, name)
		require.True(t, se.Retryable, "%s: worth trying again later", name)
		require.Equal(t, before+1, srv.Requests(), "%s: one request, not four", name)
	}
	// The caller's deadline ends a hanging call the same way.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	before := srv.Requests()
	_, err := NewWebhook(srv.WebhookURL(), SenderOptions{Retry: RetryOptions{Sleep: w.sleep}}).Post(ctx, testMessage(), Ref{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, before+1, srv.Requests())
	require.Empty(t, w.get(), "no backoff sleeps")
	require.Empty(t, srv.Messages())
}

// TestRetryAfterBeyondTheDeadlineIsLeftToTheCaller: the call does not sleep into its own
// deadline; it returns Slack's Retry-After so the caller can schedule the retry.
func TestRetryAfterBeyondTheDeadlineIsLeftToTheCaller(t *testing.T) {
	srv := testserver.New(t)
	w := &waits{}
	srv.FailNext(testserver.Response{Status: 429, RetryAfter: 5})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := NewWebhook(srv.WebhookURL(), SenderOptions{Retry: RetryOptions{Sleep: w.sleep}}).Post(ctx, testMessage(), Ref{})
	var se *Error
	require.ErrorAs(t, err, &se)
	require.Equal(t, 5*time.Second, se.RetryAfter)
	require.Empty(t, w.get())
	require.Equal(t, 1, srv.Requests())
}

func TestOnlySlackDelivers(t *testing.T) {
	require.True(t, NewWebhook("https://hooks.example/x", SenderOptions{}).Delivers())
	require.True(t, NewBot("xoxb-1", "#c", SenderOptions{}).Delivers())
	require.False(t, NewLogNotifier(nil, nil).Delivers(), "printing a message tells nobody")
}

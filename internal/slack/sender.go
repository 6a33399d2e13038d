package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	goslack "github.com/slack-go/slack"

	"github.com/drift-schema/drift/internal/redact"
)

// Ref names a posted message: the channel ID and timestamp Slack returned. Transports that
// return nothing (incoming webhooks, the log) give the zero Ref.
type Ref struct {
	Channel string
	TS      string
}

// IsZero reports whether r names no message.
func (r Ref) IsZero() bool { return r.TS == "" }

// ErrUnsupported is returned by Update on transports that cannot edit a message.
var ErrUnsupported = errors.New("editing messages is not supported by this transport")

// Error is a failed Slack call. Its message never contains the token or the webhook URL, and it
// deliberately does not wrap slack-go's error, whose text may include the URL.
type Error struct {
	// Op is the API method: "chat.postMessage", "chat.update" or "webhook".
	Op string
	// Status is the HTTP status, when there was a response.
	Status int
	// Code is Slack's error code ("channel_not_found", "ratelimited"), when it gave one.
	Code string
	// Retryable is true for rate limits, server errors and network failures: the same call may
	// succeed later. Permanent errors (bad token, unknown channel, invalid blocks) will not.
	Retryable bool
	// RetryAfter is how long Slack asked to wait (429 Retry-After), or zero.
	RetryAfter time.Duration
	// Unanswered is true when the request went out and no answer came back in time: Slack may
	// have posted the message, so the call does not repeat it (a retry could be a duplicate);
	// the caller decides when to try again.
	Unanswered bool
	msg        string
}

// Error describes the failure: the API method and what went wrong, without secrets.
func (e *Error) Error() string { return "slack " + e.Op + ": " + e.msg }

// IsRetryable reports whether err is a Slack error worth retrying later.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable
}

// RetryOptions bound the retries within one call. They retry only failures that prove the
// message was not posted (an error status, a refused connection), never a request left
// unanswered. The daemon's outbox retries, with its own backoff, whatever still fails, so these
// only smooth over short outages.
type RetryOptions struct {
	// MaxAttempts per call; zero means 4.
	MaxAttempts int
	// BaseDelay is the first backoff (doubled each attempt, with jitter); zero means 1s.
	BaseDelay time.Duration
	// MaxDelay caps a backoff and a Retry-After: a longer wait (or one past the context's
	// deadline) gives up and leaves the retry to the caller. Zero means 60s.
	MaxDelay time.Duration
	// Sleep waits; nil means a timer that respects ctx. Tests record the waits with it.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (o RetryOptions) withDefaults() RetryOptions {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = time.Second
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 60 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return o
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// SenderOptions configure Webhook and Bot.
type SenderOptions struct {
	// HTTPClient makes the calls; nil means a client with a 30s timeout.
	HTTPClient *http.Client
	// APIURL is the Web API base URL (Bot only), for a Slack-compatible test server; empty
	// means Slack's. It must end with "/".
	APIURL string
	Retry  RetryOptions
	Logger *slog.Logger
}

func (o SenderOptions) withDefaults() SenderOptions {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Retry = o.Retry.withDefaults()
	return o
}

// Webhook posts to an incoming webhook. It cannot edit messages or reply in threads: every
// message is a new top-level post, and no Ref comes back.
type Webhook struct {
	url  string
	opts SenderOptions
}

// NewWebhook returns a sender for the incoming webhook url (a secret: anyone holding it can
// post to the channel).
func NewWebhook(url string, opts SenderOptions) *Webhook {
	return &Webhook{url: url, opts: opts.withDefaults()}
}

// Post sends msg. thread is ignored: incoming webhooks cannot reply in a thread they never saw.
func (w *Webhook) Post(ctx context.Context, msg Message, _ Ref) (Ref, error) {
	payload := &goslack.WebhookMessage{Text: msg.Text, Blocks: &goslack.Blocks{BlockSet: msg.Blocks}}
	err := retry(ctx, w.opts, "webhook", []string{w.url}, func(ctx context.Context) error {
		return goslack.PostWebhookCustomHTTPContext(ctx, w.url, w.opts.HTTPClient, payload)
	})
	return Ref{}, err
}

// Update is not possible through a webhook.
func (w *Webhook) Update(context.Context, Ref, Message) error { return ErrUnsupported }

// CanUpdate is false: resolutions are posted as new messages.
func (w *Webhook) CanUpdate() bool { return false }

// Delivers is true: a message the webhook accepted has reached the channel.
func (w *Webhook) Delivers() bool { return true }

// Bot posts with a bot token through the Web API: chat.postMessage, and chat.update to edit
// the announcing message in place when its drift is resolved.
type Bot struct {
	token   string
	channel string
	client  *goslack.Client
	opts    SenderOptions
}

// NewBot returns a sender posting to channel (a name such as "#db-drift" or an ID) with token.
func NewBot(token, channel string, opts SenderOptions) *Bot {
	opts = opts.withDefaults()
	options := []goslack.Option{goslack.OptionHTTPClient(opts.HTTPClient)}
	if opts.APIURL != "" {
		options = append(options, goslack.OptionAPIURL(opts.APIURL))
	}
	return &Bot{token: token, channel: channel, client: goslack.New(token, options...), opts: opts}
}

// Post sends msg to the channel, or as a reply in thread when thread is not zero.
func (b *Bot) Post(ctx context.Context, msg Message, thread Ref) (Ref, error) {
	channel := b.channel
	options := []goslack.MsgOption{goslack.MsgOptionText(msg.Text, false), goslack.MsgOptionBlocks(msg.Blocks...)}
	if !thread.IsZero() {
		channel = thread.Channel
		options = append(options, goslack.MsgOptionTS(thread.TS))
	}
	if msg.Key != "" {
		options = append(options, goslack.MsgOptionMetadata(metadata(msg.Key)))
	}
	var ref Ref
	err := retry(ctx, b.opts, "chat.postMessage", []string{b.token}, func(ctx context.Context) error {
		ch, ts, err := b.client.PostMessageContext(ctx, channel, options...)
		ref = Ref{Channel: ch, TS: ts}
		return err
	})
	if err != nil {
		return Ref{}, err
	}
	return ref, nil
}

// Update replaces the message ref with msg.
func (b *Bot) Update(ctx context.Context, ref Ref, msg Message) error {
	options := []goslack.MsgOption{goslack.MsgOptionText(msg.Text, false), goslack.MsgOptionBlocks(msg.Blocks...)}
	if msg.Key != "" {
		options = append(options, goslack.MsgOptionMetadata(metadata(msg.Key)))
	}
	return retry(ctx, b.opts, "chat.update", []string{b.token}, func(ctx context.Context) error {
		_, _, _, err := b.client.UpdateMessageContext(ctx, ref.Channel, ref.TS, options...)
		return err
	})
}

// CanUpdate is true: resolutions edit the original message and reply in its thread.
func (b *Bot) CanUpdate() bool { return true }

// Delivers is true: a message Slack accepted has reached the channel.
func (b *Bot) Delivers() bool { return true }

// MetadataEventType is the event type of the metadata drift attaches to its messages.
const MetadataEventType = "drift_notification"

// metadata carries a message's idempotency key, so a message can be traced to the outbox row
// that produced it (and a duplicate recognised as one).
func metadata(key string) goslack.SlackMetadata {
	return goslack.SlackMetadata{EventType: MetadataEventType, EventPayload: map[string]any{"idempotency_key": key}}
}

// retry runs call until it succeeds, fails permanently, runs out of attempts, or would have to
// wait longer than MaxDelay. Errors are classified and scrubbed of secrets.
func retry(ctx context.Context, opts SenderOptions, op string, secrets []string, call func(context.Context) error) error {
	r := opts.Retry
	for attempt := 1; ; attempt++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("slack %s: %w", op, ctx.Err())
		}
		e := classify(op, err, secrets)
		if !e.Retryable || e.Unanswered || attempt >= r.MaxAttempts {
			return e
		}
		wait := r.BaseDelay << (attempt - 1)
		wait += time.Duration(rand.Int64N(int64(wait)/5 + 1)) // jitter: replicas do not retry in step
		if e.RetryAfter > 0 {
			wait = e.RetryAfter
		}
		if wait > r.MaxDelay {
			return e
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return e // the caller's retry, with Retry-After still known, beats a cancelled sleep
		}
		opts.Logger.Warn("slack call failed, retrying", "op", op, "attempt", attempt, "wait", wait.String(), "error", e.Error())
		if err := r.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("slack %s: %w", op, err)
		}
	}
}

// retryableCodes are Slack error codes worth another try.
var retryableCodes = map[string]bool{
	"ratelimited": true, "rate_limited": true, "internal_error": true, "fatal_error": true,
	"service_unavailable": true, "request_timeout": true,
}

// classify turns a slack-go or transport error into an *Error with a message free of secrets.
func classify(op string, err error, secrets []string) *Error {
	e := &Error{Op: op}
	var rl *goslack.RateLimitedError
	var sc goslack.StatusCodeError
	var se goslack.SlackErrorResponse
	var ue *url.Error
	var ne net.Error
	var se2 *json.SyntaxError
	var ne2 *strconv.NumError
	switch {
	case errors.As(err, &rl):
		e.Status, e.Retryable, e.RetryAfter = http.StatusTooManyRequests, true, rl.RetryAfter
		e.msg = fmt.Sprintf("rate limited (retry after %s)", rl.RetryAfter)
	case errors.As(err, &sc):
		e.Status = sc.Code
		e.Retryable = sc.Code >= 500 || sc.Code == http.StatusTooManyRequests
		e.msg = "HTTP " + sc.Status
	case errors.As(err, &se):
		e.Code = se.Err
		e.Retryable = retryableCodes[se.Err]
		e.msg = "error " + se.Err
	case errors.As(err, &ue):
		// url.Error's text starts with the URL, which for a webhook is the secret itself.
		e.Retryable = true
		e.Unanswered = ue.Timeout()
		e.msg = "request failed: " + ue.Err.Error()
	case errors.As(err, &ne), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		e.Retryable = true
		e.Unanswered = errors.As(err, &ne) && ne.Timeout()
		e.msg = "request failed: " + err.Error()
	case errors.As(err, &ne2):
		// slack-go could not parse a 429's Retry-After: still a rate limit.
		e.Status, e.Retryable = http.StatusTooManyRequests, true
		e.msg = "rate limited (unreadable Retry-After)"
	case errors.As(err, &se2):
		// A 200 that is not JSON: a proxy or an outage page. Worth another try.
		e.Retryable = true
		e.msg = "unreadable response: " + err.Error()
	default:
		e.msg = err.Error()
	}
	e.msg = redact.String(e.msg, secrets...)
	// A webhook URL's path is its secret; the host alone is harmless, the path never is.
	if i := strings.Index(e.msg, "/services/"); i >= 0 {
		e.msg = e.msg[:i] + "/services/" + redact.Placeholder
	}
	return e
}

// LogNotifier is the transport when Slack is not configured: each message goes to the log as
// its notification text and, when out is set, as Block Kit JSON (what Slack would receive). It
// only shows messages: nobody has been told, so the daemon leaves them pending (Delivers).
type LogNotifier struct {
	logger *slog.Logger
	out    io.Writer
}

// NewLogNotifier returns a notifier writing to logger and, if out is not nil, the JSON payload
// to out.
func NewLogNotifier(logger *slog.Logger, out io.Writer) *LogNotifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &LogNotifier{logger: logger, out: out}
}

// Post logs msg.
func (l *LogNotifier) Post(_ context.Context, msg Message, thread Ref) (Ref, error) {
	l.logger.Info("notification (Slack not configured; it stays pending)", "text", msg.Text,
		"blocks", len(msg.Blocks), "key", msg.Key)
	if l.out != nil {
		data, err := json.MarshalIndent(msg, "", "  ")
		if err != nil {
			return Ref{}, fmt.Errorf("rendering notification: %w", err)
		}
		if _, err := fmt.Fprintf(l.out, "%s\n", data); err != nil {
			return Ref{}, fmt.Errorf("writing notification: %w", err)
		}
	}
	return Ref{}, nil
}

// Update is not possible: logged messages cannot be edited.
func (l *LogNotifier) Update(context.Context, Ref, Message) error { return ErrUnsupported }

// CanUpdate is false.
func (l *LogNotifier) CanUpdate() bool { return false }

// Delivers is false: printing a message tells nobody, so it must stay pending for a process
// that can send it.
func (l *LogNotifier) Delivers() bool { return false }

package store

// migrations are the store's schema, one entry per version, applied in order by Migrate. Never
// edit an entry once released: add a new one.
var migrations = []string{
	// Version 1.
	`
CREATE TABLE schema_drift_alerts (
	id                   bigserial PRIMARY KEY,
	target               text NOT NULL,
	fingerprint          text NOT NULL,
	kind                 text NOT NULL,
	object               text NOT NULL,
	change               text NOT NULL,
	severity             text NOT NULL,
	summary              text NOT NULL DEFAULT '',
	expected             text NOT NULL DEFAULT '',
	actual               text NOT NULL DEFAULT '',
	diff                 text NOT NULL DEFAULT '',
	status               text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
	first_seen_at        timestamptz NOT NULL,
	last_seen_at         timestamptz NOT NULL,
	resolved_at          timestamptz,
	acknowledged_by      text,
	acknowledged_reason  text,
	acknowledged_at      timestamptz,
	acknowledged_until   timestamptz,
	-- The message the alert waits for; written in the same transaction as the decision, so a
	-- message is never lost between deciding and sending.
	pending_notification text NOT NULL DEFAULT 'none'
		CHECK (pending_notification IN ('none', 'opened', 'changed', 'resolved')),
	pending_reason       text NOT NULL DEFAULT '',
	-- Bumped whenever a decision asks for a message, so a sender can tell whether the alert
	-- changed while its message was in flight.
	notify_seq           bigint NOT NULL DEFAULT 0,
	notify_attempts      integer NOT NULL DEFAULT 0,
	last_notify_error    text,
	notified_at          timestamptz,
	-- The replica sending the pending message, and since when (stale claims are taken over).
	claimed_by           text,
	claimed_at           timestamptz,
	-- The message that announced the alert (bot token only): updated in place on resolution,
	-- its thread (slack_ts) receives the details.
	slack_channel        text,
	slack_ts             text,
	created_at           timestamptz NOT NULL DEFAULT now(),
	updated_at           timestamptz NOT NULL DEFAULT now(),
	UNIQUE (target, fingerprint)
);
CREATE INDEX schema_drift_alerts_status_idx ON schema_drift_alerts (status, target);
CREATE INDEX schema_drift_alerts_pending_idx ON schema_drift_alerts (target)
	WHERE pending_notification <> 'none';
CREATE INDEX schema_drift_alerts_message_idx ON schema_drift_alerts (slack_channel, slack_ts)
	WHERE slack_ts IS NOT NULL;

CREATE TABLE drift_runs (
	id                 bigserial PRIMARY KEY,
	target             text NOT NULL,
	scheduled_for      timestamptz NOT NULL,
	-- running while a replica holds the claim; abandoned when a replica died holding it and a
	-- later tick superseded it.
	status             text NOT NULL
		CHECK (status IN ('running', 'clean', 'drift', 'pending', 'error', 'abandoned')),
	replica_id         text NOT NULL,
	claimed_at         timestamptz NOT NULL,
	attempts           integer NOT NULL DEFAULT 1,
	started_at         timestamptz NOT NULL,
	finished_at        timestamptz,
	duration_ms        bigint,
	error              text,
	findings           integer NOT NULL DEFAULT 0,
	critical           integer NOT NULL DEFAULT 0,
	warning            integer NOT NULL DEFAULT 0,
	info               integer NOT NULL DEFAULT 0,
	pending_migrations integer NOT NULL DEFAULT 0,
	snapshot_hash      text,
	-- One run per target and scheduled tick: the claim that lets exactly one replica check it.
	UNIQUE (target, scheduled_for)
);
CREATE INDEX drift_runs_target_finished_idx ON drift_runs (target, finished_at DESC);
CREATE INDEX drift_runs_running_idx ON drift_runs (target) WHERE status = 'running';

CREATE TABLE drift_snapshots (
	id            bigserial PRIMARY KEY,
	target        text NOT NULL,
	hash          text NOT NULL,
	snapshot      jsonb NOT NULL,
	first_seen_at timestamptz NOT NULL,
	last_seen_at  timestamptz NOT NULL,
	run_id        bigint REFERENCES drift_runs (id) ON DELETE SET NULL
);
CREATE INDEX drift_snapshots_target_idx ON drift_snapshots (target, id DESC);
`,
	// Version 2: the outbox. Each pending message has an idempotency key (a new one whenever
	// the message changes) and, after a failed delivery, the time before which it is not tried
	// again (exponential backoff).
	`
ALTER TABLE schema_drift_alerts
	ADD COLUMN notify_key   text,
	ADD COLUMN notify_after timestamptz;
UPDATE schema_drift_alerts SET notify_key = gen_random_uuid()::text;
ALTER TABLE schema_drift_alerts ALTER COLUMN notify_key SET DEFAULT gen_random_uuid()::text,
	ALTER COLUMN notify_key SET NOT NULL;
`,
	// Version 3: the statements that revert each drift, shown in its Slack message and on
	// the status page.
	`
ALTER TABLE schema_drift_alerts ADD COLUMN fix text NOT NULL DEFAULT '';
`,
}

CREATE INDEX x FOR (n:N) ON (n.p);

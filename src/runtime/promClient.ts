import type * as Prom from 'prom-client';

// prom-client's index loads all it has (the push gateway with https and tls, default process metrics,
// summaries with their t-digest, OpenTelemetry for exemplars): a fifth of the server's bundle and tens
// of milliseconds of every start. The server uses three classes, each loaded from its own file, and
// loads this module only at the first scrape (ServerMetrics).
/* eslint-disable @typescript-eslint/no-require-imports */
export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
/* eslint-enable @typescript-eslint/no-require-imports */
export type Registry = Prom.Registry;

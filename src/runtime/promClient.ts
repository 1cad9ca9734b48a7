import type * as Prom from 'prom-client';

// prom-client's index loads all it has (the push gateway with https and tls, default process metrics,
// summaries with their t-digest, OpenTelemetry for exemplars): a fifth of the server's bundle and tens
// of milliseconds of every start. The server uses four classes, each loaded from its own file.
/* eslint-disable @typescript-eslint/no-require-imports */
export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;
/* eslint-enable @typescript-eslint/no-require-imports */
export type Registry = Prom.Registry;
export type Counter<T extends string = string> = Prom.Counter<T>;
export type Gauge<T extends string = string> = Prom.Gauge<T>;
export type Histogram<T extends string = string> = Prom.Histogram<T>;

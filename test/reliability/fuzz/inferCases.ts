import fc from 'fast-check';
import { binaryFramingCase } from './binaryMutations';
import { byteMutationCase } from './byteMutations';
import type { FuzzCase } from './fuzzCase';
import { structuralCase } from './structuralMutations';
import { validCase } from './validRequests';

/** Every family of generated request, weighted toward the mutated ones. */
const anyCase: fc.Arbitrary<FuzzCase> = fc.oneof({ weight: 2, arbitrary: validCase }, { weight: 4, arbitrary: structuralCase }, { weight: 2, arbitrary: binaryFramingCase }, { weight: 2, arbitrary: byteMutationCase });

/** `count` requests drawn from the seed: the same seed gives the same requests in the same order. */
export function inferCases(seed: number, count: number): FuzzCase[] {
  return fc.sample(anyCase, { seed, numRuns: count });
}

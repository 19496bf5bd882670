// updateStrategy.scatterStrategy (kruise pkg/util/updatesort/scatter_sort.go), shared by CloneSet
// and SidecarSet: spread the pods that match a label term evenly through the update order, so
// e.g. the pods of one zone are not all updated in a row.
import type { Labels } from './label-selector.ts';

export interface ScatterTerm {
  readonly key: string;
  readonly value: string;
}

interface ScatterGroup {
  groupNum: number;
  matchedGroupSize: number;
  unmatchedGroupSize: number;
  unmatchedRemainder: number;
}

/** Go's math.Round: half away from zero. */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

function newGroup(matched: number, unmatched: number): ScatterGroup {
  const groupNum = Math.min(matched, unmatched);
  return {
    groupNum,
    matchedGroupSize: roundHalfAway(matched / groupNum),
    unmatchedGroupSize: roundHalfAway(unmatched / groupNum),
    unmatchedRemainder: 0,
  };
}

/**
 * Pick group sizes. If the candidates are at least as "unmatched-dense" as the whole workload,
 * group the candidates by their own ratio; otherwise use the workload's group sizes and put the
 * unmatched candidates that do not fit into groups first. The ratios are compared in float32.
 */
export function groupByDensity(totalMatched: number, totalUnmatched: number, matched: number, unmatched: number): ScatterGroup {
  const totalGroup = newGroup(totalMatched, totalUnmatched);
  const candidateGroup = newGroup(matched, unmatched);
  if (Math.fround(totalUnmatched / totalMatched) >= Math.fround(unmatched / matched)) return candidateGroup;

  const { matchedGroupSize, unmatchedGroupSize } = totalGroup;
  const groupNum = Math.min(Math.trunc(matched / matchedGroupSize), Math.trunc(unmatched / unmatchedGroupSize));
  return { groupNum, matchedGroupSize, unmatchedGroupSize, unmatchedRemainder: unmatched - groupNum * unmatchedGroupSize };
}

const matchesTerm = (labels: Labels, term: ScatterTerm): boolean => (labels[term.key] ?? '') === term.value;

/** Rearrange candidate indexes for one term; `allLabels` are the labels of every pod of the workload. */
export function scatterByTerm(term: ScatterTerm, allLabels: readonly Labels[], indexes: readonly number[]): number[] {
  const matched: number[] = [];
  const unmatched: number[] = [];
  for (const i of indexes) (matchesTerm(allLabels[i] ?? {}, term) ? matched : unmatched).push(i);
  if (matched.length <= 1 || unmatched.length <= 1) return [...indexes];

  let totalMatched = allLabels.filter((l) => matchesTerm(l, term)).length;
  const totalUnmatched = allLabels.length - totalMatched;

  // The last matched candidate is held back and goes at the very end.
  const heldBack = matched.pop() as number;
  totalMatched--;

  const group = groupByDensity(totalMatched, totalUnmatched, matched.length, unmatched.length);
  const out = unmatched.splice(0, group.unmatchedRemainder);
  for (let g = 0; g < group.groupNum; g++) {
    out.push(...matched.splice(0, group.matchedGroupSize));
    out.push(...unmatched.splice(0, group.unmatchedGroupSize));
  }
  out.push(...matched, ...unmatched, heldBack);
  return out;
}

/**
 * The terms to apply, in order: a single term as is; several terms only if some candidate matches
 * them, the most-matched first (stable).
 */
export function scatterTermsInOrder(terms: readonly ScatterTerm[], allLabels: readonly Labels[], indexes: readonly number[]): ScatterTerm[] {
  if (terms.length === 1) return [...terms];
  const counted: { term: ScatterTerm; count: number }[] = [];
  for (const term of terms) {
    const count = indexes.filter((i) => allLabels[i]?.[term.key] === term.value).length;
    const seen = counted.find((c) => c.term.key === term.key && c.term.value === term.value);
    if (seen) seen.count += count;
    else if (count > 0) counted.push({ term: { key: term.key, value: term.value }, count });
  }
  return counted.sort((a, b) => b.count - a.count).map((c) => c.term);
}

/** Apply every scatter term to the candidate indexes. */
export function scatterSort(terms: readonly ScatterTerm[] | undefined, allLabels: readonly Labels[], indexes: readonly number[]): number[] {
  if (!terms || terms.length === 0 || indexes.length <= 1) return [...indexes];
  let out = [...indexes];
  for (const term of scatterTermsInOrder(terms, allLabels, out)) out = scatterByTerm(term, allLabels, out);
  return out;
}

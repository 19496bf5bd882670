import { describe, expect, it } from 'vitest';
import { parseFeatureGates } from './cluster-command.ts';

describe('--feature-gates', () => {
  it('parses Name=bool pairs', () => {
    expect(parseFeatureGates('InPlacePodVerticalScaling=true, Foo=false')).toEqual({ InPlacePodVerticalScaling: true, Foo: false });
    expect(parseFeatureGates('')).toEqual({});
  });
  it('rejects anything else with the offending part', () => {
    expect(() => parseFeatureGates('Foo=yes')).toThrow(/"Foo=yes" is not Name=true\|false/);
    expect(() => parseFeatureGates('Foo')).toThrow(/"Foo"/);
  });
});

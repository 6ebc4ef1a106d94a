import { dec } from '../common/decimal';
import { riskTransition } from './liquidation-risk.monitor';

describe('liquidation risk levels', () => {
  it('alerts once per level on the way down, and again only after moving back beyond 7.5 %', () => {
    let level: 'warning' | 'critical' | undefined;
    const step = (d: string) => {
      const r = riskTransition(dec(d), level);
      level = r.now;
      return r.alert;
    };
    expect(step('0.10')).toBeUndefined();
    expect(step('0.049')).toBe('warning');
    expect(step('0.03')).toBeUndefined();
    expect(step('0.06')).toBeUndefined(); // back above 5 %, not yet re-armed
    expect(step('0.045')).toBeUndefined();
    expect(step('0.019')).toBe('critical');
    expect(step('0.01')).toBeUndefined();
    expect(step('0.04')).toBeUndefined(); // still remembered as critical
    expect(step('0.075')).toBeUndefined();
    expect(level).toBeUndefined(); // re-armed
    expect(step('0.015')).toBe('critical');
  });
});

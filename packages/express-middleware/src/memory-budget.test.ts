import { describe, expect, it } from '@jest/globals';
import { createMemoryBudget } from './memory-budget.js';

describe('createMemoryBudget', () => {
  it('reserves while there is room and refuses what does not fit', () => {
    const budget = createMemoryBudget({ maxBytes: 100 });
    const first = budget.tryReserve(60);
    expect(first).toBeInstanceOf(Function);
    expect(budget.inUse()).toBe(60);
    expect(budget.tryReserve(41)).toBeUndefined();
    expect(budget.inUse()).toBe(60);
    const second = budget.tryReserve(40);
    expect(second).toBeInstanceOf(Function);
    expect(budget.inUse()).toBe(100);
    expect(budget.tryReserve(1)).toBeUndefined();
    expect(budget.tryReserve(0)).toBeInstanceOf(Function);
  });

  it('gives the bytes back on release, once however often release is called', () => {
    const budget = createMemoryBudget({ maxBytes: 100 });
    const release = budget.tryReserve(70);
    const other = budget.tryReserve(30);
    release?.();
    release?.();
    expect(budget.inUse()).toBe(30);
    other?.();
    expect(budget.inUse()).toBe(0);
    expect(budget.tryReserve(100)).toBeInstanceOf(Function);
  });

  it('never fits a reservation larger than the whole budget', () => {
    const budget = createMemoryBudget({ maxBytes: 100 });
    expect(budget.tryReserve(101)).toBeUndefined();
    expect(budget.inUse()).toBe(0);
    expect(budget.maxBytes).toBe(100);
  });

  it('refuses bad sizes at construction and bad reservations at once', () => {
    for (const maxBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10mb' as unknown as number]) {
      expect(() => createMemoryBudget({ maxBytes })).toThrow(TypeError);
    }
    const budget = createMemoryBudget({ maxBytes: 10 });
    for (const bytes of [-1, 0.5, Number.NaN]) expect(() => budget.tryReserve(bytes)).toThrow(TypeError);
    expect(budget.inUse()).toBe(0);
  });
});

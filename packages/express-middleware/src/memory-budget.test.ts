import { describe, expect, it } from '@jest/globals';
import { createBudgetReservation, createMemoryBudget } from './memory-budget.js';

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

  it('gives each client a share: one client over its share is refused while others still reserve', () => {
    const budget = createMemoryBudget({ maxBytes: 100, maxBytesPerClient: 40 });
    expect(budget.maxBytesPerClient).toBe(40);
    const first = budget.tryReserve(30, '192.0.2.1');
    expect(budget.tryReserve(11, '192.0.2.1')).toBeUndefined();
    const second = budget.tryReserve(10, '192.0.2.1');
    expect(budget.inUse('192.0.2.1')).toBe(40);
    expect(budget.tryReserve(1, '192.0.2.1')).toBeUndefined();
    expect(budget.tryReserve(40, '192.0.2.2')).toBeInstanceOf(Function);
    expect(budget.inUse('192.0.2.2')).toBe(40);
    expect(budget.inUse()).toBe(80);
    // The total still bounds them all: 20 bytes are left, whoever asks.
    expect(budget.tryReserve(21, '192.0.2.3')).toBeUndefined();
    expect(budget.tryReserve(21)).toBeUndefined();
    first?.();
    first?.();
    expect(budget.inUse('192.0.2.1')).toBe(10);
    expect(budget.tryReserve(30, '192.0.2.1')).toBeInstanceOf(Function);
    second?.();
    expect(budget.inUse()).toBe(70);
  });

  it('counts reservations without a client in the total only', () => {
    const budget = createMemoryBudget({ maxBytes: 100, maxBytesPerClient: 10 });
    const answer = budget.tryReserve(80);
    expect(answer).toBeInstanceOf(Function);
    expect(budget.tryReserve(10, '192.0.2.1')).toBeInstanceOf(Function);
    expect(budget.tryReserve(10, '192.0.2.2')).toBeInstanceOf(Function);
    expect(budget.tryReserve(1, '192.0.2.3')).toBeUndefined();
    answer?.();
    expect(budget.inUse()).toBe(20);
  });

  it('without maxBytesPerClient, lets one client take the whole budget', () => {
    const budget = createMemoryBudget({ maxBytes: 100 });
    expect(budget.maxBytesPerClient).toBe(100);
    expect(budget.tryReserve(100, '192.0.2.1')).toBeInstanceOf(Function);
    expect(budget.inUse('192.0.2.1')).toBe(100);
  });

  it('refuses bad sizes at construction and bad reservations at once', () => {
    for (const maxBytes of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10mb' as unknown as number]) {
      expect(() => createMemoryBudget({ maxBytes })).toThrow(TypeError);
      expect(() => createMemoryBudget({ maxBytes: 10, maxBytesPerClient: maxBytes })).toThrow(TypeError);
    }
    const budget = createMemoryBudget({ maxBytes: 10 });
    for (const bytes of [-1, 0.5, Number.NaN]) expect(() => budget.tryReserve(bytes)).toThrow(TypeError);
    expect(budget.inUse()).toBe(0);
  });
});

describe('createBudgetReservation', () => {
  it('grows and shrinks one reservation, keeps what it held when a size does not fit, and gives it all back', () => {
    const budget = createMemoryBudget({ maxBytes: 100, maxBytesPerClient: 60 });
    const reservation = createBudgetReservation(budget, '192.0.2.1');
    expect(reservation.resizeTo(40)).toBe(true);
    expect(reservation.resizeTo(50)).toBe(true);
    expect(budget.inUse('192.0.2.1')).toBe(50);
    expect(reservation.resizeTo(70)).toBe(false);
    expect(reservation.isOverShare(70)).toBe(true);
    expect(budget.inUse()).toBe(50);
    expect(reservation.resizeTo(10)).toBe(true);
    expect(budget.inUse()).toBe(10);
    reservation.release();
    expect(budget.inUse()).toBe(0);
    expect(reservation.resizeTo(5)).toBe(false);
    expect(budget.inUse()).toBe(0);
  });

  it('refuses past the total too, without calling it the client’s share, and always succeeds without a budget', () => {
    const budget = createMemoryBudget({ maxBytes: 100 });
    budget.tryReserve(90);
    const reservation = createBudgetReservation(budget);
    expect(reservation.resizeTo(20)).toBe(false);
    expect(reservation.isOverShare(20)).toBe(false);
    expect(createBudgetReservation(undefined).resizeTo(1e9)).toBe(true);
  });
});

import type { Device } from '@dpmambair/core';

/**
 * Cases a device is allowed to skip: device -> case name -> the measured reason. The aim is none;
 * every entry says what was seen, on what, so it can be retried when the backend changes.
 */
export const EXCLUSIONS: Partial<Record<Device, Record<string, string>>> = {};

/** The reason `caseName` is excluded on `device`, if it is. */
export function exclusionReason(device: Device, caseName: string): string | undefined {
  return EXCLUSIONS[device]?.[caseName];
}

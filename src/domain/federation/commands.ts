import type { CommandBase } from '../decider.ts';

/** Registry commands; `province` (the envelope's) is "00": only national administrators change the registry. */
export type ProvincialLogCommand =
  | (CommandBase & {
      type: 'RegisterProvincialLog';
      logProvince: string;
      origin: string;
      verifierKey: string;
      baseUrl: string;
    })
  | (CommandBase & { type: 'RotateProvincialLogKey'; origin: string; verifierKey: string })
  | (CommandBase & { type: 'MoveProvincialLog'; origin: string; baseUrl: string })
  | (CommandBase & { type: 'RetireProvincialLog'; origin: string; reason: string });

export type ProvincialLogCommandType = ProvincialLogCommand['type'];

export const PROVINCIAL_LOG_COMMAND_TYPES = [
  'RegisterProvincialLog',
  'RotateProvincialLogKey',
  'MoveProvincialLog',
  'RetireProvincialLog',
] as const satisfies readonly ProvincialLogCommandType[];

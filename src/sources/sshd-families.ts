/**
 * The message families of auth-log lines, told apart by program and by the first words of the
 * message, before the message is read: the sshd parser dispatches on them, and a scan skips
 * building the events of families no loaded rule can match (auth-prefilter.ts).
 *
 * Each family lists the `event.action`, `system.auth.ssh.event` and `event.outcome` values its
 * events carry when the message reads; one that cannot be read is a generic event with none. A test
 * checks every catalogued and fixture line against these lists.
 */
import type { Outcome } from '../events/event';
import { ACCOUNT_ACTIONS } from './account-programs';

export const PREAUTH = ' [preauth]';
export const PAM_SSHD_FAILURE = 'pam_unix(sshd:auth): authentication failure;';
export const PAM_BARE_FAILURE = 'authentication failure;';
export const PAM_ERROR = 'error: PAM: ';
export const MAX_TRIES = 'error: maximum authentication attempts exceeded for ';
export const NO_IDENT = 'Did not receive identification string from ';
export const REVERSE_MAPPING = 'reverse mapping checking getaddrinfo for ';
export const ROOT_REFUSED = 'ROOT LOGIN REFUSED FROM ';
export const DISCONNECTED = 'Disconnected from ';
export const UNABLE_TO_NEGOTIATE = 'Unable to negotiate with ';
export const BAD_PROTOCOL = 'Bad protocol version identification ';
export const REFUSED_CONNECT = 'refused connect from ';
export const RECEIVED_DISCONNECT = 'Received disconnect from ';
export const FATAL = 'fatal: ';
export const BANNER_EXCHANGE = 'banner exchange: Connection from ';
export const PROTOCOL_DIFFERS = 'Protocol major versions differ for ';

/** The fields a family's events carry that rules select families by. */
export interface FamilyValues {
  action: string;
  /** Set on sshd's login and connection events only. */
  sshEvent?: string;
  /** Undefined: the event has no event.outcome. */
  outcome?: Outcome;
}

/** One family: what its events may carry when the message reads. */
export interface AuthFamily {
  name: string;
  values: readonly FamilyValues[];
}

type Outcomes = ReadonlyArray<Outcome | undefined>;
const FAILURE: Outcomes = ['failure'];
const SUCCESS: Outcomes = ['success'];
const NONE: Outcomes = [undefined];
const ANY: Outcomes = ['success', 'failure', undefined];

const each = (action: string, sshEvents: ReadonlyArray<string | undefined>, outcomes: Outcomes): FamilyValues[] =>
  sshEvents.flatMap((sshEvent) => outcomes.map((outcome) => ({ action, ...(sshEvent === undefined ? {} : { sshEvent }), ...(outcome === undefined ? {} : { outcome }) })));
const login = (outcomes: Outcomes, ...sshEvents: string[]) => each('ssh_login', sshEvents, outcomes);
const connection = (outcomes: Outcomes, ...sshEvents: string[]) => each('ssh_connection', sshEvents, outcomes);
const actions = (outcomes: Outcomes, ...names: readonly string[]) => names.flatMap((action) => each(action, [undefined], outcomes));
const SESSION_ACTIONS = ['session-opened', 'session-closed'] as const;

/** Indexes into AUTH_FAMILIES; the order is the table's. */
export const Family = {
  Generic: 0,
  Accepted: 1,
  AddressMismatch: 2,
  ConnectionClosed: 3,
  ConnectionReset: 4,
  BadProtocol: 5,
  Disconnected: 6,
  Disconnecting: 7,
  NoIdentification: 8,
  Failed: 9,
  Fatal: 10,
  BannerExchange: 11,
  DropConnection: 12,
  Penalty: 13,
  InvalidUser: 14,
  Postponed: 15,
  ProtocolDiffers: 16,
  PamMore: 17,
  RootRefused: 18,
  ReceivedDisconnect: 19,
  UserNotAllowed: 20,
  UnableToNegotiate: 21,
  PamBareFailure: 22,
  PamError: 23,
  MaxTries: 24,
  PamSshdFailure: 25,
  PamSucceedIf: 26,
  SshdSession: 27,
  ReverseMapping: 28,
  RefusedConnect: 29,
  Sudo: 30,
  Account: 31,
  PamSession: 32,
} as const;
export type FamilyId = (typeof Family)[keyof typeof Family];

export const AUTH_FAMILIES: readonly AuthFamily[] = [
  { name: 'generic', values: [] },
  { name: 'sshd Accepted', values: login(SUCCESS, 'Accepted') },
  { name: 'sshd Address … maps to', values: connection(NONE, 'BreakInAttempt') },
  { name: 'sshd Connection closed', values: connection([...FAILURE, ...NONE], 'ConnectionClosed') },
  { name: 'sshd Connection reset', values: connection([...FAILURE, ...NONE], 'ConnectionReset') },
  { name: 'sshd Bad protocol version', values: connection(FAILURE, 'BadProtocolVersion') },
  { name: 'sshd Disconnected', values: connection([...FAILURE, ...NONE], 'Disconnected') },
  { name: 'sshd Disconnecting', values: login(FAILURE, 'TooManyAuthFailures') },
  { name: 'sshd Did not receive identification', values: connection(FAILURE, 'NoIdentification') },
  { name: 'sshd Failed', values: login(FAILURE, 'Failed') },
  { name: 'sshd fatal', values: connection(FAILURE, 'NegotiationFailed', 'LoginGraceTimeout') },
  { name: 'sshd banner exchange', values: connection(FAILURE, 'BannerExchangeFailed') },
  { name: 'sshd drop connection', values: connection(FAILURE, 'ConnectionDropped') },
  { name: 'sshd srclimit_penalise', values: connection(NONE, 'Penalty') },
  { name: 'sshd Invalid user', values: login(FAILURE, 'Invalid') },
  { name: 'sshd Postponed', values: login(NONE, 'Postponed') },
  { name: 'sshd Protocol major versions differ', values: connection(FAILURE, 'ProtocolMismatch') },
  { name: 'sshd PAM N more failures', values: login(FAILURE, 'AuthFailure') },
  { name: 'sshd ROOT LOGIN REFUSED', values: login(FAILURE, 'RootLoginRefused') },
  { name: 'sshd Received disconnect', values: [...connection(NONE, 'ReceivedDisconnect'), ...connection(FAILURE, 'ClientGaveUp')] },
  { name: 'sshd User … not allowed', values: login(FAILURE, 'NotAllowed') },
  { name: 'sshd Unable to negotiate', values: connection(FAILURE, 'NegotiationFailed') },
  { name: 'sshd authentication failure', values: login(FAILURE, 'AuthFailure') },
  { name: 'sshd error: PAM', values: login(FAILURE, 'AuthFailure') },
  { name: 'sshd maximum authentication attempts', values: login(FAILURE, 'MaxAuthTries') },
  { name: 'sshd pam_unix(sshd:auth)', values: login(FAILURE, 'AuthFailure') },
  { name: 'sshd pam_succeed_if', values: login(FAILURE, 'AuthFailure') },
  { name: 'sshd pam_unix(sshd:session)', values: actions(SUCCESS, ...SESSION_ACTIONS) },
  { name: 'sshd reverse mapping', values: connection(NONE, 'BreakInAttempt') },
  { name: 'sshd refused connect', values: connection(FAILURE, 'RefusedConnect') },
  { name: 'sudo', values: [...actions([...SUCCESS, ...FAILURE], 'sudo'), ...actions(SUCCESS, ...SESSION_ACTIONS)] },
  { name: 'account programs', values: actions(ANY, ...ACCOUNT_ACTIONS) },
  { name: 'PAM session', values: actions(SUCCESS, ...SESSION_ACTIONS) },
];

/** The family of an sshd message (without its ` [preauth]`), by its first words: Generic when it is none Klaxon reads. */
export function sshFamily(body: string): FamilyId {
  switch (body.charCodeAt(0)) {
    case 65 /* A */:
      if (body.startsWith('Accepted ')) return Family.Accepted;
      if (body.startsWith('Address ')) return Family.AddressMismatch;
      break;
    case 67 /* C */:
      if (body.startsWith('Connection closed by ')) return Family.ConnectionClosed;
      if (body.startsWith('Connection reset by ')) return Family.ConnectionReset;
      break;
    case 66 /* B */:
      if (body.startsWith(BAD_PROTOCOL)) return Family.BadProtocol;
      break;
    case 68 /* D */:
      if (body.startsWith(DISCONNECTED)) return Family.Disconnected;
      if (body.startsWith('Disconnecting')) return Family.Disconnecting;
      if (body.startsWith(NO_IDENT)) return Family.NoIdentification;
      break;
    case 70 /* F */:
      if (body.startsWith('Failed ')) return Family.Failed;
      break;
    case 102 /* f */:
      if (body.startsWith(FATAL)) return Family.Fatal;
      break;
    case 98 /* b */:
      if (body.startsWith(BANNER_EXCHANGE)) return Family.BannerExchange;
      break;
    case 100 /* d */:
      if (body.startsWith('drop connection #')) return Family.DropConnection;
      break;
    case 115 /* s */:
      if (body.startsWith('srclimit_penalise: ')) return Family.Penalty;
      break;
    case 73 /* I */:
      if (body.startsWith('Invalid user ')) return Family.InvalidUser;
      break;
    case 80 /* P */:
      if (body.startsWith('Postponed ')) return Family.Postponed;
      if (body.startsWith(PROTOCOL_DIFFERS)) return Family.ProtocolDiffers;
      if (body.startsWith('PAM ')) return Family.PamMore;
      break;
    case 82 /* R */:
      if (body.startsWith(ROOT_REFUSED)) return Family.RootRefused;
      if (body.startsWith(RECEIVED_DISCONNECT)) return Family.ReceivedDisconnect;
      break;
    case 85 /* U */:
      if (body.startsWith('User ')) return Family.UserNotAllowed;
      if (body.startsWith(UNABLE_TO_NEGOTIATE)) return Family.UnableToNegotiate;
      break;
    case 97 /* a */:
      if (body.startsWith(PAM_BARE_FAILURE)) return Family.PamBareFailure;
      break;
    case 101 /* e */:
      if (body.startsWith(PAM_ERROR)) return Family.PamError;
      if (body.startsWith(MAX_TRIES)) return Family.MaxTries;
      break;
    case 112 /* p */:
      if (body.startsWith(PAM_SSHD_FAILURE)) return Family.PamSshdFailure;
      if (body.startsWith('pam_succeed_if(')) return Family.PamSucceedIf;
      if (body.startsWith('pam_unix(sshd:session)')) return Family.SshdSession;
      break;
    case 114 /* r */:
      if (body.startsWith(REVERSE_MAPPING)) return Family.ReverseMapping;
      if (body.startsWith(REFUSED_CONNECT)) return Family.RefusedConnect;
      break;
  }
  return Family.Generic;
}

/** An sshd message without the ` [preauth]` sshd appends to messages of its unprivileged child. */
export function withoutPreauth(message: string): string {
  return message.endsWith(PREAUTH) ? message.slice(0, -PREAUTH.length) : message;
}

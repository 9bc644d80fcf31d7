// The admin operations: every change to tokens and users that the CLI, the
// REST API, LinOTP's /admin/* and the web pages make goes through one of
// these, which checks the actor's role and writes the audit event.

export { operation, type AdminContext, type Target } from './admin/context.ts';
export { openCodeTransaction, TEST_CODE, testSend, type TestSent } from './admin/code-tokens.ts';
export { enrollToken, type Enrolled, type EnrollRequest } from './admin/enroll.ts';
export { AdminError, type AdminErrorCode } from './admin/errors.ts';
export { authorize, authorizeRealm, inScope, mayDo, PERMISSIONS, type Action } from './admin/permissions.ts';
export { tokenState, tokenView } from './admin/token-view.ts';
export {
  assignToken, deleteToken, disableToken, enableToken, listTokens, openChallenge, resetToken, resyncToken, revokeToken, setPin, setTokenLimits,
  showToken, tokenFor, unassignToken, type TokenLimits, type TokenQuery,
} from './admin/tokens.ts';
export { findUser, listUsers } from './admin/users.ts';

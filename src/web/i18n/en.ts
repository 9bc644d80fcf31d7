// English: the pages' source language. Every key here must be in every other
// catalog (test/web/i18n.test.ts), with the same {placeholders}.

import type { Catalog } from './catalog.ts';
import { enConsole } from './en-console.ts';
import { enSelf } from './en-self.ts';

export const en = {
  'app.name': 'otp-radius',
  'area.console': 'Admin console',

  'layout.skip': 'Skip to the content',
  'layout.nav': 'Main',
  'layout.language': 'Language',
  'layout.theme.dark': 'Dark theme',
  'layout.theme.light': 'Light theme',
  'layout.signedIn': 'Logged in as {name} ({role})',
  'layout.logout': 'Log out',
  'layout.version': 'otp-radius {version}',

  'role.admin': 'administrator',
  'role.helpdesk': 'helpdesk',
  'role.auditor': 'auditor',

  'common.copy': 'Copy',
  'common.copied': 'Copied to the clipboard',
  'common.ok': 'OK',
  'common.failing': 'failing',

  'login.title': 'Log in',
  'login.username': 'User name',
  'login.password': 'Password',
  'login.otp': 'One-time password',
  'login.otpHint': 'The code your token shows now. Leave it empty if your account has no token, or if you typed the code after the password.',
  'login.submit': 'Log in',
  'login.failed': 'The user name, password or one-time password is wrong.',
  'login.throttled': 'Too many failed logins. Wait a while, then try again.',
  'login.required': 'Please log in first.',
  'session.idle': 'Your session ended because it was not used for a while. Please log in again.',
  'session.expired': 'Your session reached its time limit. Please log in again.',
  'session.unknown': 'Your session has ended. Please log in again.',
  'logout.done': 'You are logged out.',

  'error.400.title': 'The request is not valid',
  'error.400.text': 'The server could not use what was sent: {detail}',
  'error.403.title': 'Not allowed',
  'error.403.text': 'Your role may not see this page or do this.',
  'error.404.title': 'Page not found',
  'error.404.text': 'There is no page at this address.',
  'error.409.title': 'Not possible now',
  'error.429.title': 'Too many attempts',
  'error.500.title': 'Something went wrong',
  'error.500.text': 'The server could not answer this request; the error has been logged.',
  'error.503.title': 'Temporarily unavailable',
  'error.503.text': 'The user directory or the token database is not answering right now. Please try again in a few minutes; the administrators can see the cause in the server log.',
  'error.csrf.title': 'The form was not accepted',
  'error.csrf.text':
    'Its security token was missing or did not match, so nothing was changed. This happens when a form was open for too long or was sent from another site. Go back, reload the page and try again.',
  'error.home': 'Go to the start page',

  'nav.dashboard': 'Dashboard',

  'dashboard.title': 'Dashboard',
  'dashboard.decisions': 'Authentications in the last hour',
  'dashboard.accept': 'Accepted',
  'dashboard.reject': 'Rejected',
  'dashboard.challenge': 'Challenged',
  'dashboard.chart': 'Authentications per minute from {from} to {to}',
  'dashboard.chartSummary': {
    one: '{count} authentication in the last hour: {accept} accepted, {reject} rejected, {challenge} challenged.',
    other: '{count} authentications in the last hour: {accept} accepted, {reject} rejected, {challenge} challenged.',
  },
  'dashboard.table': 'The minutes as a table',
  'dashboard.minute': 'Minute',
  'dashboard.reasons': 'Most frequent reject reasons',
  'dashboard.reason': 'Reason',
  'dashboard.count': 'Count',
  'dashboard.noRejects': 'No rejects in the last hour.',
  'dashboard.auditOff': 'The audit table is turned off (audit.table: false), so there are no figures to show.',
  'dashboard.locked': 'Locked tokens',
  'dashboard.lockedCount': { one: '{count} token is locked.', other: '{count} tokens are locked.' },
  'dashboard.health': 'Store and resolvers',
  'dashboard.store': 'Token store',
  'dashboard.resolver': 'Resolver {name}',
  'dashboard.refresh': 'Refresh',
  'dashboard.asOf': 'As of {time}.',
  'dashboard.version': 'Version',
  ...enConsole,
  ...enSelf,
} as const satisfies Catalog;

export type MessageKey = keyof typeof en;

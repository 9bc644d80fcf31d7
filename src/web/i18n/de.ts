// German, for LinOTP's home market: every key of en.ts, with its
// {placeholders}.

import type { Message } from './catalog.ts';
import { deConsole } from './de-console.ts';
import type { MessageKey } from './en.ts';
import { deSelf } from './de-self.ts';

export const de: Record<MessageKey, Message> = {
  'app.name': 'otp-radius',
  'area.console': 'Verwaltung',

  'layout.skip': 'Zum Inhalt springen',
  'layout.nav': 'Hauptmenü',
  'layout.language': 'Sprache',
  'layout.theme.dark': 'Dunkles Design',
  'layout.theme.light': 'Helles Design',
  'layout.signedIn': 'Angemeldet als {name} ({role})',
  'layout.logout': 'Abmelden',
  'layout.version': 'otp-radius {version}',

  'role.admin': 'Administrator',
  'role.helpdesk': 'Helpdesk',
  'role.auditor': 'Prüfer',

  'common.copy': 'Kopieren',
  'common.copied': 'In die Zwischenablage kopiert',
  'common.ok': 'OK',
  'common.failing': 'gestört',

  'login.title': 'Anmelden',
  'login.username': 'Benutzername',
  'login.password': 'Passwort',
  'login.otp': 'Einmalpasswort',
  'login.otpHint': 'Der Code, den Ihr Token gerade zeigt. Lassen Sie das Feld leer, wenn Ihr Konto kein Token hat oder Sie den Code hinter das Passwort geschrieben haben.',
  'login.submit': 'Anmelden',
  'login.failed': 'Benutzername, Passwort oder Einmalpasswort ist falsch.',
  'login.throttled': 'Zu viele fehlgeschlagene Anmeldungen. Warten Sie eine Weile und versuchen Sie es dann erneut.',
  'login.required': 'Bitte melden Sie sich zuerst an.',
  'session.idle': 'Ihre Sitzung wurde beendet, weil sie eine Weile nicht benutzt wurde. Bitte melden Sie sich erneut an.',
  'session.expired': 'Ihre Sitzung hat ihre Höchstdauer erreicht. Bitte melden Sie sich erneut an.',
  'session.unknown': 'Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.',
  'logout.done': 'Sie sind abgemeldet.',

  'error.400.title': 'Die Anfrage ist ungültig',
  'error.400.text': 'Der Server konnte das Gesendete nicht verwenden: {detail}',
  'error.403.title': 'Nicht erlaubt',
  'error.403.text': 'Ihre Rolle darf diese Seite nicht sehen oder dies nicht tun.',
  'error.404.title': 'Seite nicht gefunden',
  'error.404.text': 'Unter dieser Adresse gibt es keine Seite.',
  'error.409.title': 'Jetzt nicht möglich',
  'error.429.title': 'Zu viele Versuche',
  'error.500.title': 'Etwas ist schiefgegangen',
  'error.500.text': 'Der Server konnte diese Anfrage nicht beantworten; der Fehler wurde protokolliert.',
  'error.503.title': 'Vorübergehend nicht verfügbar',
  'error.503.text':
    'Das Benutzerverzeichnis oder die Token-Datenbank antwortet gerade nicht. Bitte versuchen Sie es in einigen Minuten erneut; die Administratoren sehen die Ursache im Serverprotokoll.',
  'error.csrf.title': 'Das Formular wurde nicht angenommen',
  'error.csrf.text':
    'Sein Sicherheitsmerkmal fehlte oder passte nicht, daher wurde nichts geändert. Das geschieht, wenn ein Formular zu lange offen war oder von einer anderen Seite gesendet wurde. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.',
  'error.home': 'Zur Startseite',

  'nav.dashboard': 'Übersicht',

  'dashboard.title': 'Übersicht',
  'dashboard.decisions': 'Anmeldungen in der letzten Stunde',
  'dashboard.accept': 'Angenommen',
  'dashboard.reject': 'Abgelehnt',
  'dashboard.challenge': 'Mit Rückfrage',
  'dashboard.chart': 'Anmeldungen pro Minute von {from} bis {to}',
  'dashboard.chartSummary': {
    one: '{count} Anmeldung in der letzten Stunde: {accept} angenommen, {reject} abgelehnt, {challenge} mit Rückfrage.',
    other: '{count} Anmeldungen in der letzten Stunde: {accept} angenommen, {reject} abgelehnt, {challenge} mit Rückfrage.',
  },
  'dashboard.table': 'Die Minuten als Tabelle',
  'dashboard.minute': 'Minute',
  'dashboard.reasons': 'Häufigste Ablehnungsgründe',
  'dashboard.reason': 'Grund',
  'dashboard.count': 'Anzahl',
  'dashboard.noRejects': 'Keine Ablehnungen in der letzten Stunde.',
  'dashboard.auditOff': 'Die Audit-Tabelle ist ausgeschaltet (audit.table: false), daher gibt es keine Zahlen.',
  'dashboard.locked': 'Gesperrte Token',
  'dashboard.lockedCount': { one: '{count} Token ist gesperrt.', other: '{count} Token sind gesperrt.' },
  'dashboard.health': 'Speicher und Verzeichnisse',
  'dashboard.store': 'Token-Speicher',
  'dashboard.resolver': 'Verzeichnis {name}',
  'dashboard.refresh': 'Aktualisieren',
  'dashboard.asOf': 'Stand {time}.',
  'dashboard.version': 'Version',
  ...deConsole,
  ...deSelf,
};

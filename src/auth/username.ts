// User-Name -> (login, realm). `user@realm` splits at the last @ (logins may
// contain @ themselves, e.g. UPNs typed with an extra realm); `DOMAIN\user`
// takes DOMAIN as realm. Each is configurable off, as LinOTP's splitAtSign.

export interface NameSplitOptions {
  splitAtSign: boolean;
  splitDomain: boolean;
}

export interface SplitName {
  login: string;
  /** The realm named in User-Name, lower-cased; undefined when none was given. */
  realm?: string;
}

export function splitUserName(userName: string, options: NameSplitOptions): SplitName {
  if (options.splitDomain) {
    const slash = userName.indexOf('\\');
    if (slash > 0 && slash < userName.length - 1) return { login: userName.slice(slash + 1), realm: userName.slice(0, slash).toLowerCase() };
  }
  if (options.splitAtSign) {
    const at = userName.lastIndexOf('@');
    if (at > 0 && at < userName.length - 1) return { login: userName.slice(0, at), realm: userName.slice(at + 1).toLowerCase() };
  }
  return { login: userName };
}

// The Reply-Message of a challenge: each token type's prompt once, the OCRA
// question in `{challenge}`, and for e-mail and SMS codes the masked
// destinations they went to in `{destination}` ("A code was sent to
// a***@example.org and +49*********89" when both types share a prompt).

import type { SentCode } from '../model/decision.ts';
import type { AuthPolicy } from '../model/policy.ts';
import type { ChallengeType, Token } from '../model/token.ts';

/** "a", "a and b", "a, b and c". */
function listed(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function challengePrompt(policy: AuthPolicy, tokens: readonly Token[], data: string, codes: readonly SentCode[]): string {
  // Prompt text -> the destinations it names (none for prompts without codes), in the order first met.
  const prompts = new Map<string, string[]>();
  for (const t of tokens) {
    const template = policy.replyMessages.challenge[t.type as ChallengeType];
    if (template === undefined) continue;
    const named = prompts.get(template) ?? [];
    for (const c of codes) if (c.serial === t.serial && !named.includes(c.to)) named.push(c.to);
    prompts.set(template, named);
  }
  return [...prompts].map(([template, to]) => template.replace('{challenge}', data).replace('{destination}', listed(to))).join(' / ');
}

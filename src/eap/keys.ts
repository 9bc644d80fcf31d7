// MSK and EMSK from the tunnel, per method and TLS version:
// - TLS 1.2: the TLS PRF under the method's label over the handshake randoms,
//   no context: "ttls keying material" (RFC 5281 section 8), "client EAP
//   encryption" (PEAPv0, draft-josefsson-pppext-eap-tls-eap section 2.8.1).
// - TLS 1.3: TLS-Exporter("EXPORTER_EAP_TLS_Key_Material", Type-Code, 128)
//   with the method's EAP type as the one-byte context (RFC 9427 section 2.1).
// The first 64 bytes are the MSK, the next 64 the EMSK.

import { EAP_TYPE } from './packet.ts';
import type { TlsTunnel } from './tunnel.ts';

export type TlsMethodName = 'ttls' | 'peap';

export interface EapKeys {
  msk: Buffer;
  emsk: Buffer;
}

const TLS12_LABEL: Record<TlsMethodName, string> = { ttls: 'ttls keying material', peap: 'client EAP encryption' };
const TLS13_LABEL = 'EXPORTER_EAP_TLS_Key_Material';
const TYPE_CODE: Record<TlsMethodName, number> = { ttls: EAP_TYPE.Ttls, peap: EAP_TYPE.Peap };

export function deriveKeys(tunnel: Pick<TlsTunnel, 'version' | 'exportKeyingMaterial'>, method: TlsMethodName): EapKeys {
  const material = tunnel.version === 'TLSv1.3' ? tunnel.exportKeyingMaterial(128, TLS13_LABEL, Buffer.from([TYPE_CODE[method]])) : tunnel.exportKeyingMaterial(128, TLS12_LABEL[method]);
  return { msk: material.subarray(0, 64), emsk: material.subarray(64, 128) };
}

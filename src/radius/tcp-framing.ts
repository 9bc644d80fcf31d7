// RADIUS over a byte stream (RFC 6613, under RadSec's TLS): a
// packet ends where its Length field says, so packets may arrive split over
// reads or several in one. A Length below the header or above the 4096
// bytes of RFC 2865 cannot be believed, and once one is read the stream has
// lost its place: the connection is to be closed.

import { HEADER_LENGTH, MAX_PACKET_LENGTH } from './packet.ts';

const EMPTY = Buffer.alloc(0);

export class PacketStream {
  private buffered: Buffer = EMPTY;
  private broken = false;

  /** The whole packets `chunk` completes, in order; 'bad-length' once a Length field cannot be believed (and from then on). */
  push(chunk: Buffer): Buffer[] | 'bad-length' {
    if (this.broken) return 'bad-length';
    let data = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const packets: Buffer[] = [];
    while (data.length >= 4) {
      const length = data.readUInt16BE(2);
      if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH) {
        this.broken = true;
        this.buffered = EMPTY;
        return 'bad-length';
      }
      if (data.length < length) break;
      // A copy: the packet outlives the read buffer (the duplicate check and the handler keep parts of it).
      packets.push(Buffer.from(data.subarray(0, length)));
      data = data.subarray(length);
    }
    // What is left is less than one packet: at most 4095 bytes wait for the rest.
    this.buffered = data.length === 0 ? EMPTY : Buffer.from(data);
    return packets;
  }

  /** Bytes of a packet begun and not finished: the stream ended mid-packet if this is not 0 at its end. */
  get partial(): number {
    return this.buffered.length;
  }
}

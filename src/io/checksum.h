/*
 * checksum: the CRC-32s that let a reader tell damage from data. The
 * description embedded in a video carries its CRC (XAV_EMBEDDED_CRC_TAG).
 * Every packet of every stream written since schema version 2 carries the
 * CRC of the frame it decodes to (xav_frame_crc: its codes, as readers get
 * them) as a Matroska BlockAdditional (id 1, 4 bytes, big-endian), 16
 * bytes a packet. A frame's checksum rather than its packet's: the muxer
 * rewrites HEVC and AV1 packets as it stores them (start codes to lengths,
 * delimiters dropped), and what must not change is the pixels.
 */
#ifndef XAV_CHECKSUM_H
#define XAV_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* FFmpeg's BlockAdditional side data: the 8-byte BlockAddID, then ours. */
#define XAV_PACKET_CRC_ID 1
#define XAV_PACKET_CRC_BYTES (8 + 4)

/* The checksum a packet carries (side data of XAV_PACKET_CRC_BYTES), read
 * into *crc: returns 0, or -1 if the side data is not one. */
int xav_packet_crc_read(const uint8_t *side, size_t size, uint32_t *crc);
/* Writes crc as such side data. */
void xav_packet_crc_write(uint8_t *side, uint32_t crc);
/* CRC-32 (IEEE) of an embedded description, as 8 hex digits. */
void xav_description_crc(const char *json, char hex[9]);

#endif /* XAV_CHECKSUM_H */

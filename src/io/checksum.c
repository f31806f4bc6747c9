/* checksum: see checksum.h. */
#include "checksum.h"

#include <stdio.h>
#include <string.h>

#include <libavutil/crc.h>
#include <libavutil/intreadwrite.h>

static uint32_t crc32_ieee(const uint8_t *data, size_t size)
{
    return av_crc(av_crc_get_table(AV_CRC_32_IEEE_LE), UINT32_MAX, data, size) ^
           UINT32_MAX;
}

int xav_packet_crc_read(const uint8_t *side, size_t size, uint32_t *crc)
{
    if (side == NULL || size != XAV_PACKET_CRC_BYTES ||
        AV_RB64(side) != XAV_PACKET_CRC_ID)
        return -1;
    *crc = AV_RB32(side + 8);
    return 0;
}

void xav_packet_crc_write(uint8_t *side, uint32_t crc)
{
    AV_WB64(side, XAV_PACKET_CRC_ID);
    AV_WB32(side + 8, crc);
}

void xav_description_crc(const char *json, char hex[9])
{
    snprintf(hex, 9, "%08x",
             (unsigned)crc32_ieee((const uint8_t *)json, strlen(json)));
}

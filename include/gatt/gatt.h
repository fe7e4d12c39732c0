/* GATT: the attribute types, characteristic properties and the two Mesh
 * services that gatt/client.h and gatt/server.h speak of.
 * Core v5.4 Vol 3 Part G; MshPRT v1.1 7.1 (Mesh Provisioning Service),
 * 7.2 (Mesh Proxy Service); UUIDs from the Bluetooth Assigned Numbers.
 */
#ifndef MP_GATT_GATT_H
#define MP_GATT_GATT_H

#include <stdint.h>

/* Core v5.4 Vol 3 Part G 3.1, 3.2, 3.3; Assigned Numbers 3.5, 3.7. */
#define MP_GATT_UUID_PRIMARY_SERVICE 0x2800
#define MP_GATT_UUID_SECONDARY_SERVICE 0x2801
#define MP_GATT_UUID_INCLUDE 0x2802
#define MP_GATT_UUID_CHARACTERISTIC 0x2803
#define MP_GATT_UUID_CCCD 0x2902

/* Characteristic Properties, Core v5.4 Vol 3 Part G 3.3.1.1, Table 3.5. */
#define MP_GATT_PROP_BROADCAST 0x01
#define MP_GATT_PROP_READ 0x02
#define MP_GATT_PROP_WRITE_NO_RSP 0x04
#define MP_GATT_PROP_WRITE 0x08
#define MP_GATT_PROP_NOTIFY 0x10
#define MP_GATT_PROP_INDICATE 0x20
#define MP_GATT_PROP_SIGNED_WRITE 0x40
#define MP_GATT_PROP_EXTENDED 0x80

/* Client Characteristic Configuration bits, Core v5.4 Vol 3 Part G
 * 3.3.3.3, Table 3.11. */
#define MP_GATT_CCC_NOTIFY 0x0001
#define MP_GATT_CCC_INDICATE 0x0002

/* MshPRT v1.1 7.1: Mesh Provisioning Service, its Data In (Write Without
 * Response) and Data Out (Notify) characteristics. */
#define MP_GATT_UUID_MESH_PROV 0x1827
#define MP_GATT_UUID_MESH_PROV_DATA_IN 0x2adb
#define MP_GATT_UUID_MESH_PROV_DATA_OUT 0x2adc
/* MshPRT v1.1 7.2: Mesh Proxy Service, of the same shape. */
#define MP_GATT_UUID_MESH_PROXY 0x1828
#define MP_GATT_UUID_MESH_PROXY_DATA_IN 0x2add
#define MP_GATT_UUID_MESH_PROXY_DATA_OUT 0x2ade

/*
 * A service of the Mesh shape: one primary service holding a Data In
 * characteristic the client writes with Write Without Response and a Data
 * Out characteristic the server notifies, with its Client Characteristic
 * Configuration descriptor. All 16-bit UUIDs.
 */
struct mp_gatt_service_uuids {
	uint16_t service;
	uint16_t data_in;
	uint16_t data_out;
};

/** The Mesh Provisioning Service (0x1827, 0x2ADB, 0x2ADC). */
extern const struct mp_gatt_service_uuids mp_gatt_mesh_prov;
/** The Mesh Proxy Service (0x1828, 0x2ADD, 0x2ADE). */
extern const struct mp_gatt_service_uuids mp_gatt_mesh_proxy;

/** A readable name for a 16-bit UUID of this file ("Mesh Provisioning Data
 * In", "Client Characteristic Configuration", ...), or NULL. */
const char *mp_gatt_uuid_name(uint16_t uuid);

#endif

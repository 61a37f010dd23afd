/*
 * userfaultfd_uapi.h - the userfaultfd user ABI as the model speaks it
 * (include/uapi/linux/userfaultfd.h, v6.17): the ioctl argument structures,
 * the message read from the descriptor, the feature, mode and ioctl bits.
 *
 * Layouts and values are the kernel's (they are ABI), so a test can hand
 * the model and the real kernel the same request.  The names carry a
 * mmt_ prefix only where Debian 12's own <linux/userfaultfd.h> (Linux 6.1,
 * without UFFDIO_MOVE) could be included next to this file.
 */
#ifndef MMT_MM_USERFAULTFD_UAPI_H
#define MMT_MM_USERFAULTFD_UAPI_H

#include <stdint.h>

#define MMT_UFFD_API 0xAAULL

/* Features (uffdio_api.features). */
#define MMT_UFFD_FEATURE_PAGEFAULT_FLAG_WP (1u << 0)
#define MMT_UFFD_FEATURE_EVENT_FORK (1u << 1)
#define MMT_UFFD_FEATURE_EVENT_REMAP (1u << 2)
#define MMT_UFFD_FEATURE_EVENT_REMOVE (1u << 3)
#define MMT_UFFD_FEATURE_MISSING_HUGETLBFS (1u << 4)
#define MMT_UFFD_FEATURE_MISSING_SHMEM (1u << 5)
#define MMT_UFFD_FEATURE_EVENT_UNMAP (1u << 6)
#define MMT_UFFD_FEATURE_SIGBUS (1u << 7)
#define MMT_UFFD_FEATURE_THREAD_ID (1u << 8)
#define MMT_UFFD_FEATURE_MINOR_HUGETLBFS (1u << 9)
#define MMT_UFFD_FEATURE_MINOR_SHMEM (1u << 10)
#define MMT_UFFD_FEATURE_EXACT_ADDRESS (1u << 11)
#define MMT_UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1u << 12)
#define MMT_UFFD_FEATURE_WP_UNPOPULATED (1u << 13)
#define MMT_UFFD_FEATURE_POISON (1u << 14)
#define MMT_UFFD_FEATURE_WP_ASYNC (1u << 15)
#define MMT_UFFD_FEATURE_MOVE (1u << 16)
/* Everything an x86-64 v6.17 kernel with every userfaultfd option reports. */
#define MMT_UFFD_API_FEATURES 0x1ffffULL

/* ioctl numbers (the _UFFDIO_* bit positions). */
#define MMT__UFFDIO_REGISTER 0x00
#define MMT__UFFDIO_UNREGISTER 0x01
#define MMT__UFFDIO_WAKE 0x02
#define MMT__UFFDIO_COPY 0x03
#define MMT__UFFDIO_ZEROPAGE 0x04
#define MMT__UFFDIO_MOVE 0x05
#define MMT__UFFDIO_WRITEPROTECT 0x06
#define MMT__UFFDIO_CONTINUE 0x07
#define MMT__UFFDIO_POISON 0x08
#define MMT__UFFDIO_API 0x3F

#define MMT_UFFD_API_IOCTLS                                                                \
	((1ULL << MMT__UFFDIO_REGISTER) | (1ULL << MMT__UFFDIO_UNREGISTER) |              \
	 (1ULL << MMT__UFFDIO_API))
#define MMT_UFFD_API_RANGE_IOCTLS                                                          \
	((1ULL << MMT__UFFDIO_WAKE) | (1ULL << MMT__UFFDIO_COPY) |                        \
	 (1ULL << MMT__UFFDIO_ZEROPAGE) | (1ULL << MMT__UFFDIO_MOVE) |                    \
	 (1ULL << MMT__UFFDIO_WRITEPROTECT) | (1ULL << MMT__UFFDIO_CONTINUE) |            \
	 (1ULL << MMT__UFFDIO_POISON))

/* Registration modes. */
#define MMT_UFFDIO_REGISTER_MODE_MISSING (1ULL << 0)
#define MMT_UFFDIO_REGISTER_MODE_WP (1ULL << 1)
#define MMT_UFFDIO_REGISTER_MODE_MINOR (1ULL << 2)
#define MMT_UFFD_API_REGISTER_MODES                                                        \
	(MMT_UFFDIO_REGISTER_MODE_MISSING | MMT_UFFDIO_REGISTER_MODE_WP |                 \
	 MMT_UFFDIO_REGISTER_MODE_MINOR)

/* Per-ioctl modes. */
#define MMT_UFFDIO_COPY_MODE_DONTWAKE (1ULL << 0)
#define MMT_UFFDIO_COPY_MODE_WP (1ULL << 1)
#define MMT_UFFDIO_ZEROPAGE_MODE_DONTWAKE (1ULL << 0)
#define MMT_UFFDIO_MOVE_MODE_DONTWAKE (1ULL << 0)
#define MMT_UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES (1ULL << 1)
#define MMT_UFFDIO_WRITEPROTECT_MODE_WP (1ULL << 0)
#define MMT_UFFDIO_WRITEPROTECT_MODE_DONTWAKE (1ULL << 1)

/* Messages. */
#define MMT_UFFD_EVENT_PAGEFAULT 0x12
#define MMT_UFFD_EVENT_FORK 0x13
#define MMT_UFFD_EVENT_REMAP 0x14
#define MMT_UFFD_EVENT_REMOVE 0x15
#define MMT_UFFD_EVENT_UNMAP 0x16
#define MMT_UFFD_PAGEFAULT_FLAG_WRITE (1ULL << 0)
#define MMT_UFFD_PAGEFAULT_FLAG_WP (1ULL << 1)
#define MMT_UFFD_PAGEFAULT_FLAG_MINOR (1ULL << 2)

/* 32 bytes, packed, as read(2) returns it. */
struct mmt_uffd_msg {
	uint8_t event;
	uint8_t reserved1;
	uint16_t reserved2;
	uint32_t reserved3;
	union {
		struct {
			uint64_t flags;
			uint64_t address;
			union {
				uint32_t ptid;
			} feat;
		} pagefault;
		struct {
			uint64_t start;
			uint64_t end;
		} remove;
		struct {
			uint64_t reserved1;
			uint64_t reserved2;
			uint64_t reserved3;
		} reserved;
	} arg;
} __attribute__((packed));

struct mmt_uffdio_api {
	uint64_t api;		/* in: MMT_UFFD_API */
	uint64_t features;	/* in: requested; out: available */
	uint64_t ioctls;	/* out */
};

struct mmt_uffdio_range {
	uint64_t start;
	uint64_t len;
};

struct mmt_uffdio_register {
	struct mmt_uffdio_range range;
	uint64_t mode;
	uint64_t ioctls;	/* out */
};

struct mmt_uffdio_copy {
	uint64_t dst;
	uint64_t src;
	uint64_t len;
	uint64_t mode;
	int64_t copy;		/* out: bytes copied or -errno */
};

struct mmt_uffdio_zeropage {
	struct mmt_uffdio_range range;
	uint64_t mode;
	int64_t zeropage;	/* out */
};

struct mmt_uffdio_move {
	uint64_t dst;
	uint64_t src;
	uint64_t len;
	uint64_t mode;
	int64_t move;		/* out: bytes moved or -errno */
};

struct mmt_uffdio_writeprotect {
	struct mmt_uffdio_range range;
	uint64_t mode;
};

_Static_assert(sizeof(struct mmt_uffd_msg) == 32, "uffd_msg is 32 bytes");
_Static_assert(sizeof(struct mmt_uffdio_move) == 40, "uffdio_move is 40 bytes");

#endif

/*
 * ops_uffd.c - the userfaultfd operations of the scenario language: the
 * descriptor (userfaultfd, api, close, readmsg) and the range ioctls
 * (register, unregister, wake, copy, zeropage, move, writeprotect), run
 * through the calls of mm/api.h with the kernel's argument structures.
 */
#include <string.h>

#include "mm/api.h"
#include "mm/userfaultfd.h"
#include "mm/userfaultfd_uapi.h"
#include "scenario/internal.h"

/* ---- userfaultfd ------------------------------------------------------------------------ */

static void p_userfaultfd(struct parser *p, struct scen_op *op)
{
	p_modes(p, op, &sw_uffd_flags, false);
}

static void x_userfaultfd(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct userfaultfd_ctx *ctx = NULL;

	res->err = -mmt_userfaultfd(run_mm(r, op), (int)op->flags, &ctx);
	res->ptr = ctx;
}

static void p_api(struct parser *p, struct scen_op *op)
{
	op->obj = (int16_t)p_obj(p, SK_UFFD);
	while (tok_peek(p)->kind == TK_WORD) {
		if (tok_accept(p, "badarg")) {
			op->flags2 |= BADARG;
		} else {
			tok_expect(p, "features", "features F,F or badarg");
			op->flags |= words_expect_set(p, &sw_features);
		}
	}
}

static void x_api(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_api api = { MMT_UFFD_API, op->flags, 0 };

	res->err = -mmt_uffd_api(run_obj(r, op, op->obj), op->flags2 & BADARG ? NULL : &api);
	res->nfields = 2;
	res->field[0] = (int64_t)api.features;
	res->field[1] = (int64_t)api.ioctls;
}

/* register U A [L] [modes]; also unregister, wake (no modes) */
static void p_uffd_range(struct parser *p, struct scen_op *op, const struct scen_words *modes)
{
	op->obj = (int16_t)p_obj(p, SK_UFFD);
	p_range(p, op);
	if (modes)
		p_modes(p, op, modes, true);
	else if (tok_accept(p, "badarg"))
		op->flags2 |= BADARG;
}

static void p_register(struct parser *p, struct scen_op *op)
{
	p_uffd_range(p, op, &sw_reg_modes);
}

static void p_range_only(struct parser *p, struct scen_op *op)
{
	p_uffd_range(p, op, NULL);
}

static void x_register(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_register reg = {
		{ run_expr(r, op, &op->arg[0]), run_len(r, op) }, op->flags, 0
	};

	res->err = -mmt_uffd_register(run_obj(r, op, op->obj), op->flags2 & BADARG ? NULL : &reg);
	res->nfields = 1;
	res->field[0] = (int64_t)reg.ioctls;
}

static void x_unregister(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_range rg = { run_expr(r, op, &op->arg[0]), run_len(r, op) };

	res->err = -mmt_uffd_unregister(run_obj(r, op, op->obj), op->flags2 & BADARG ? NULL : &rg);
}

static void x_wake(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_range rg = { run_expr(r, op, &op->arg[0]), run_len(r, op) };

	res->err = -mmt_uffd_wake(run_obj(r, op, op->obj), op->flags2 & BADARG ? NULL : &rg);
}

/* copy / move U DST SRC LEN [modes] */
static void p_copy_like(struct parser *p, struct scen_op *op, const struct scen_words *modes)
{
	op->obj = (int16_t)p_obj(p, SK_UFFD);
	p_addr(p, op, 0, "the destination address");
	p_addr(p, op, 1, "the source address");
	p_len(p, op, false);
	p_modes(p, op, modes, true);
}

static void p_copy(struct parser *p, struct scen_op *op)
{
	p_copy_like(p, op, &sw_copy_modes);
}

static void p_move(struct parser *p, struct scen_op *op)
{
	p_copy_like(p, op, &sw_move_modes);
}

static void x_copy(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_copy c = { run_expr(r, op, &op->arg[0]), run_expr(r, op, &op->arg[1]),
				     run_len(r, op), op->flags, 0 };

	res->err = -mmt_uffd_copy(run_mm(r, op), run_obj(r, op, op->obj),
				  op->flags2 & BADARG ? NULL : &c);
	res->nfields = 1;
	res->field[0] = c.copy;
}

static void x_move(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_move m = { run_expr(r, op, &op->arg[0]), run_expr(r, op, &op->arg[1]),
				     run_len(r, op), op->flags, 0 };

	res->err = -mmt_uffd_move(run_mm(r, op), run_obj(r, op, op->obj),
				  op->flags2 & BADARG ? NULL : &m);
	res->nfields = 1;
	res->field[0] = m.move;
}

static void p_zeropage(struct parser *p, struct scen_op *op)
{
	op->obj = (int16_t)p_obj(p, SK_UFFD);
	p_addr(p, op, 0, "an address");
	p_len(p, op, true);
	p_modes(p, op, &sw_zeropage_modes, true);
}

static void x_zeropage(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_zeropage z = { { run_expr(r, op, &op->arg[0]), run_len(r, op) },
					 op->flags, 0 };

	res->err = -mmt_uffd_zeropage(run_obj(r, op, op->obj), op->flags2 & BADARG ? NULL : &z);
	res->nfields = 1;
	res->field[0] = z.zeropage;
}

static void p_writeprotect(struct parser *p, struct scen_op *op)
{
	op->obj = (int16_t)p_obj(p, SK_UFFD);
	p_range(p, op);
	p_modes(p, op, &sw_wp_modes, true);
}

static void x_writeprotect(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffdio_writeprotect w = { { run_expr(r, op, &op->arg[0]), run_len(r, op) },
					     op->flags };

	res->err = -mmt_uffd_writeprotect(run_obj(r, op, op->obj),
					  op->flags2 & BADARG ? NULL : &w);
}

static void p_uffd_only(struct parser *p, struct scen_op *op)
{
	op->obj = (int16_t)p_obj(p, SK_UFFD);
}

static void x_close(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	res->err = -mmt_uffd_close(run_obj(r, op, op->obj));
}

static void x_readmsg(struct scen_run *r, const struct scen_op *op, struct scen_result *res)
{
	struct mmt_uffd_msg msg;
	int ret;

	memset(&msg, 0, sizeof(msg));
	ret = mmt_uffd_read(run_obj(r, op, op->obj), &msg);
	res->err = -ret;
	if (ret)
		return;
	res->event = msg.event;
	res->nfields = 2;
	if (msg.event == MMT_UFFD_EVENT_PAGEFAULT) {
		res->field[0] = (int64_t)msg.arg.pagefault.flags;
		res->field[1] = msg.arg.pagefault.feat.ptid;
		res->addr = msg.arg.pagefault.address & PAGE_MASK;
		res->len = PAGE_SIZE;
	} else if (msg.event == MMT_UFFD_EVENT_REMOVE) {
		res->addr = msg.arg.remove.start;
		res->len = msg.arg.remove.end - msg.arg.remove.start;
	}
}

/* ---- the table ------------------------------------------------------------------------------ */

#define ACTS OPF_ACTS

const struct scen_opdef scen_uffd_opdefs[] = {
	{ "userfaultfd", OPF_DEFINES | ACTS, SK_UFFD, { NULL }, { NULL }, NULL, p_userfaultfd,
	  x_userfaultfd },
	{ "api", 0, 0, { "features", "ioctls", NULL }, { &sw_features, NULL }, NULL, p_api, x_api },
	{ "register", 0, 0, { "ioctls", NULL }, { NULL }, NULL, p_register, x_register },
	{ "unregister", 0, 0, { NULL }, { NULL }, NULL, p_range_only, x_unregister },
	{ "wake", 0, 0, { NULL }, { NULL }, NULL, p_range_only, x_wake },
	{ "copy", ACTS, 0, { "copy", NULL }, { NULL }, NULL, p_copy, x_copy },
	{ "zeropage", 0, 0, { "zeropage", NULL }, { NULL }, NULL, p_zeropage, x_zeropage },
	{ "move", ACTS, 0, { "move", NULL }, { NULL }, NULL, p_move, x_move },
	{ "writeprotect", 0, 0, { NULL }, { NULL }, NULL, p_writeprotect, x_writeprotect },
	{ "close", 0, 0, { NULL }, { NULL }, NULL, p_uffd_only, x_close },
	{ "readmsg", OPF_DEFINES | OPF_MAY_DEFINE, SK_EVENT, { "flags", "ptid", NULL },
	  { &sw_pf_flags, NULL }, &sw_events, p_uffd_only, x_readmsg },
	{ .name = NULL },
};

/* jedit FILE EDIT...: edit a JSON file in place, writing it back pretty-printed.
 * EDIT is `.a.b[0]=JSONVALUE` (objects are created as needed; an index equal to
 * the array's length appends) or `del .a.b`. */
#include <unistd.h>
#include "jtool.h"

static yajl_val new_object(void)
{
	yajl_val v = calloc(1, sizeof(*v));
	if (!v)
		abort();
	v->type = yajl_t_object;
	return v;
}

static void die(const char *edit, const char *why)
{
	fprintf(stderr, "jedit: %s: %s\n", edit, why);
	exit(1);
}

/* Walk to the parent of the last step, creating objects when `create`. */
static yajl_val walk_parent(yajl_val root, struct jt_step *steps, size_t n, int create,
			    const char *edit)
{
	yajl_val v = root;
	size_t i;
	for (i = 0; i + 1 < n; i++) {
		yajl_val next = jt_step(v, &steps[i]);
		if (!next && create && steps[i].key && v->type == yajl_t_object) {
			size_t l = v->u.object.len;
			v->u.object.keys = realloc(v->u.object.keys, (l + 1) * sizeof(char *));
			v->u.object.values = realloc(v->u.object.values, (l + 1) * sizeof(yajl_val));
			if (!v->u.object.keys || !v->u.object.values)
				abort();
			v->u.object.keys[l] = strdup(steps[i].key);
			next = v->u.object.values[l] = new_object();
			v->u.object.len++;
		}
		if (!next)
			die(edit, "no such path");
		v = next;
	}
	return v;
}

static void set(yajl_val root, const char *edit)
{
	const char *eq = strchr(edit, '=');
	char *path = strndup(edit, eq - edit);
	struct jt_step steps[64];
	size_t n = jt_path(path, steps, 64), i;
	yajl_val val = jt_parse(eq + 1, edit), parent;
	struct jt_step *last;

	if (!n)
		die(edit, "cannot replace the root");
	last = &steps[n - 1];
	parent = walk_parent(root, steps, n, 1, edit);
	if (last->key) {
		if (parent->type != yajl_t_object)
			die(edit, "parent is not an object");
		size_t pos;
		if (jt_key(parent, last->key, &pos)) {
			yajl_tree_free(parent->u.object.values[pos]);
			parent->u.object.values[pos] = val;
		} else {
			size_t l = parent->u.object.len;
			parent->u.object.keys = realloc(parent->u.object.keys, (l + 1) * sizeof(char *));
			parent->u.object.values = realloc(parent->u.object.values, (l + 1) * sizeof(yajl_val));
			if (!parent->u.object.keys || !parent->u.object.values)
				abort();
			parent->u.object.keys[l] = strdup(last->key);
			parent->u.object.values[l] = val;
			parent->u.object.len++;
		}
	} else {
		if (parent->type != yajl_t_array)
			die(edit, "parent is not an array");
		size_t l = parent->u.array.len;
		if ((size_t)last->idx < l) {
			yajl_tree_free(parent->u.array.values[last->idx]);
			parent->u.array.values[last->idx] = val;
		} else if ((size_t)last->idx == l) {
			parent->u.array.values = realloc(parent->u.array.values, (l + 1) * sizeof(yajl_val));
			if (!parent->u.array.values)
				abort();
			parent->u.array.values[l] = val;
			parent->u.array.len++;
		} else {
			die(edit, "index out of range");
		}
	}
	for (i = 0; i < n; i++)
		free(steps[i].key);
	free(path);
}

static void del(yajl_val root, const char *edit, const char *path)
{
	struct jt_step steps[64];
	size_t n = jt_path(path, steps, 64), i, pos;
	if (!n)
		die(edit, "cannot delete the root");
	yajl_val parent = walk_parent(root, steps, n, 0, edit);
	struct jt_step *last = &steps[n - 1];
	if (last->key) {
		if (!jt_key(parent, last->key, &pos))
			die(edit, "no such path");
		free((char *)parent->u.object.keys[pos]);
		yajl_tree_free(parent->u.object.values[pos]);
		for (i = pos + 1; i < parent->u.object.len; i++) {
			parent->u.object.keys[i - 1] = parent->u.object.keys[i];
			parent->u.object.values[i - 1] = parent->u.object.values[i];
		}
		parent->u.object.len--;
	} else {
		if (parent->type != yajl_t_array || (size_t)last->idx >= parent->u.array.len)
			die(edit, "no such path");
		yajl_tree_free(parent->u.array.values[last->idx]);
		for (i = last->idx + 1; i < parent->u.array.len; i++)
			parent->u.array.values[i - 1] = parent->u.array.values[i];
		parent->u.array.len--;
	}
	for (i = 0; i < n; i++)
		free(steps[i].key);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: jedit FILE '.a.b[0]=JSON'|'del .a.b'...\n");
		return 2;
	}
	size_t len;
	char *text = jt_read(argv[1], &len);
	yajl_val root = jt_parse(text, argv[1]);
	int i;
	for (i = 2; i < argc; i++) {
		if (!strncmp(argv[i], "del ", 4))
			del(root, argv[i], argv[i] + 4);
		else if (!strcmp(argv[i], "del") && i + 1 < argc) {
			del(root, argv[i + 1], argv[i + 1]);
			i++;
		} else if (strchr(argv[i], '='))
			set(root, argv[i]);
		else
			die(argv[i], "expected PATH=JSON or del PATH");
	}
	char *tmp;
	if (asprintf(&tmp, "%s.jedit.tmp", argv[1]) < 0)
		abort();
	FILE *f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "jedit: %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	jt_print(f, root, 1);
	if (fclose(f) || rename(tmp, argv[1])) {
		fprintf(stderr, "jedit: %s: %s\n", argv[1], strerror(errno));
		unlink(tmp);
		return 1;
	}
	free(tmp);
	yajl_tree_free(root);
	free(text);
	return 0;
}

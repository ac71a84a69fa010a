/* jget FILE|- PATH: print the JSON value at PATH (strings raw, others compact JSON).
 * jget -l FILE|- PATH: print the length of the array (or object) at PATH. */
#include "jtool.h"

int main(int argc, char **argv)
{
	int length = 0;
	if (argc > 1 && !strcmp(argv[1], "-l")) {
		length = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: jget [-l] FILE|- PATH\n");
		return 2;
	}
	size_t len, n, i;
	char *text = jt_read(argv[1], &len);
	yajl_val root = jt_parse(text, argv[1]), v = root;
	struct jt_step steps[64];
	n = jt_path(argv[2], steps, 64);
	for (i = 0; i < n && v; i++)
		v = jt_step(v, &steps[i]);
	if (!v)
		fprintf(stderr, "jget: %s: no such path in %s\n", argv[2], argv[1]);
	if (!v) {
		/* reported above */
	} else if (length) {
		if (v->type == yajl_t_array)
			printf("%zu\n", v->u.array.len);
		else if (v->type == yajl_t_object)
			printf("%zu\n", v->u.object.len);
		else {
			fprintf(stderr, "jget: %s: not an array in %s\n", argv[2], argv[1]);
			v = NULL;
		}
	} else if (v->type == yajl_t_string) {
		printf("%s\n", v->u.string);
	} else {
		jt_print(stdout, v, 0);
	}
	for (i = 0; i < n; i++)
		free(steps[i].key);
	yajl_tree_free(root);
	free(text);
	return v ? 0 : 1;
}

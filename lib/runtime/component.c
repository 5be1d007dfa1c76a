/* Placeholder: the component runtime (being written). */
#include <mica_component.h>
